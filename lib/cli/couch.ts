/** Connecting the CLI to a CouchDB given as a URL with credentials, with one-line failures. */
import Nano from 'nano';
import type { ServerScope } from 'nano';
import { CliError } from './output.js';

/** A connected server and the URL without credentials (for printing). */
export interface CouchConnection {
  readonly server: ServerScope;
  readonly displayUrl: string;
}

/**
 * Parses `url` (credentials in it, e.g. `http://admin:pass@127.0.0.1:5984`) and checks the server
 * answers and the credentials are accepted.
 * @throws CliError for a malformed URL, an unreachable server or wrong credentials.
 */
export async function connect(url: string): Promise<CouchConnection> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`not a URL: ${url}`);
  }
  const display = new URL(parsed.toString());
  display.username = '';
  display.password = '';
  const displayUrl = display.toString().replace(/\/$/, '');
  const server = Nano({ url: parsed.toString().replace(/\/$/, '') });
  try {
    const session = await server.session();
    if (!(session.userCtx as { name?: string | null }).name) throw new CliError(`no credentials accepted by ${displayUrl} (put them in the URL: http://user:pass@host:port)`);
  } catch (err) {
    if (err instanceof CliError) throw err;
    const e = err as { statusCode?: number; code?: string; cause?: { code?: string } };
    if (e.statusCode === 401) throw new CliError(`wrong credentials for ${displayUrl}`);
    const why = e.cause?.code ?? e.code ?? (err as Error).message;
    // A server that answered, for a URL with a path: most likely a database named where the server is wanted.
    const last = parsed.pathname.split('/').filter(Boolean).pop();
    if (e.statusCode !== undefined && last !== undefined) {
      const server = new URL(display.toString());
      server.pathname = '/';
      throw new CliError(`${displayUrl} is not a CouchDB server URL (${why}): give the server URL and --db ${decodeURIComponent(last)}, e.g. ${server.toString().replace(/\/$/, '')} --db ${decodeURIComponent(last)}`);
    }
    throw new CliError(`cannot reach ${displayUrl} (${why})`);
  }
  return { server, displayUrl };
}

/** Creates `name` when missing (an existing database is fine). */
export async function ensureDb(server: ServerScope, name: string): Promise<void> {
  try {
    await server.db.create(name);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 412) throw err;
  }
}
