/**
 * The rule of the embedded server's CouchDB API: it answers server admins only. Anybody may read the
 * welcome page and use `_session` (the gateway asks it who a user is; browsers sign in and out
 * there); devices reach data through the sync gateway, mounted before this API. Everything else is
 * refused as CouchDB words it: 401 without valid credentials, 403 for a user who is not an admin.
 *
 * Admin-ness is what the server's own authentication established for this request (basic auth or
 * an AuthSession cookie, checked by pouchdb-auth against the configured admin in constant time),
 * so one rule covers every route, present and future.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What express-pouchdb's authentication leaves on the request. */
interface AuthenticatedRequest extends IncomingMessage {
  readonly path?: string;
  readonly couchSession?: { readonly userCtx?: { readonly name?: string | null; readonly roles?: readonly string[] } };
}

/** Requests anybody may make, by exact path (case-sensitive, no trailing slash) and method. */
const OPEN: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['/', new Set(['GET', 'HEAD'])],
  ['/_session', new Set(['GET', 'HEAD', 'POST', 'DELETE'])],
]);

/** True when anybody may send `method` to `path`. */
export function isOpenRequest(method: string, path: string): boolean {
  return OPEN.get(path)?.has(method) === true;
}

function sendJson(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'must-revalidate' });
  res.end(text);
}

const REASON = "You are not a server admin: this server's CouchDB API answers server admins only (devices sync through the gateway).";

/** Express middleware placed right after express-pouchdb's authentication. */
export function adminGate(req: AuthenticatedRequest, res: ServerResponse, next: (err?: unknown) => void): void {
  const userCtx = req.couchSession?.userCtx;
  if (userCtx?.roles?.includes('_admin')) return next();
  const path = req.path ?? new URL(req.url ?? '/', 'http://x').pathname;
  if (isOpenRequest(req.method ?? 'GET', path)) return next();
  if (userCtx?.name) sendJson(res, 403, { error: 'forbidden', reason: REASON });
  else sendJson(res, 401, { error: 'unauthorized', reason: REASON });
}

/** Answers what the embedded server does not offer (server-side replication) instead of half-running it. */
export function notSupported(what: string): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => sendJson(res, 501, { error: 'not_implemented', reason: `${what} is not supported by the embedded server.` });
}
