/** The gateway URL a client is given, checked before anything is sent. */
import { SyncError } from './errors.js';

/** Header every answer of the sync gateway carries, so the client tells it from a CouchDB or a proxy. */
export const GATEWAY_HEADER = 'x-fieldsync-gateway';

/**
 * The gateway URL of one database, without a trailing slash. A relative URL is taken against the
 * page's address in a browser.
 * @throws SyncError of kind `invalid-url` saying what is wrong.
 */
export function gatewayUrl(url: string): string {
  const page = (globalThis as { location?: { href?: unknown } }).location?.href;
  let parsed: URL;
  try {
    parsed = typeof page === 'string' ? new URL(url, page) : new URL(url);
  } catch {
    throw new SyncError('invalid-url', `not a URL: ${JSON.stringify(url)} (expected the gateway URL of one database, e.g. https://example.org/fieldsync/medic)`);
  }
  const bad = (why: string): SyncError => new SyncError('invalid-url', `gateway URL ${JSON.stringify(url)}: ${why}`);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw bad(`expected http or https, not ${parsed.protocol}`);
  if (parsed.username || parsed.password) throw bad('credentials in the URL are not sent by browsers; give them as `auth`');
  if (parsed.search || parsed.hash) throw bad('a query or fragment has no meaning here');
  if (parsed.pathname.replace(/\/+$/, '') === '') throw bad('names no database; it ends with the database, e.g. https://example.org/fieldsync/medic');
  return parsed.toString().replace(/\/+$/, '');
}

/** Statuses a server that is not the gateway gives for the gateway's paths (CouchDB, a proxy, a web server). */
const NOT_GATEWAY_STATUSES = new Set([400, 401, 403, 404, 405]);

/** The failure when an answer came from something other than the gateway, else undefined. */
export function notAGateway(response: Response, base: string): SyncError | undefined {
  if (response.ok || response.headers.has(GATEWAY_HEADER) || !NOT_GATEWAY_STATUSES.has(response.status)) return undefined;
  return new SyncError('not-a-gateway', `${base} is not a fieldsync sync gateway (it answered ${response.status} without the gateway's header): `
    + 'devices sync through the gateway mounted in front of CouchDB, e.g. https://example.org/fieldsync/medic, never with CouchDB itself', response.status);
}
