/**
 * Routing: `<db>/<rest>` to the endpoint that serves it, after the database is known to be served and
 * the caller authenticated. Anything not listed here answers 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ENDPOINTS } from '../protocol.js';
import { bulkDocs } from './bulk-docs.js';
import { bulkGet } from './bulk-get.js';
import { changes } from './changes.js';
import { changesFeed } from './changes-feed.js';
import { digest } from './digest.js';
import { dbInfo } from './db-info.js';
import type { Endpoint, GatewayParts } from './endpoint.js';
import { gone } from './gone.js';
import { GatewayError } from './http.js';
import { ids } from './ids.js';
import { local } from './local.js';
import { revsDiff } from './revs-diff.js';
import type { GatewayDatabase } from './scope.js';
import type { Authenticate } from './sessions.js';

/** What the log records of a request while it is routed. */
export interface RouteLog {
  user?: string;
  db?: string;
  endpoint: string;
  docs?: number;
}

const ROUTES: Readonly<Record<string, Endpoint>> = {
  [`GET ${ENDPOINTS.ids}`]: ids,
  [`POST ${ENDPOINTS.gone}`]: gone,
  [`GET ${ENDPOINTS.changes}`]: changes,
  [`GET ${ENDPOINTS.feed}`]: changesFeed,
  [`POST ${ENDPOINTS.feed}`]: changesFeed,
  [`GET ${ENDPOINTS.digest}`]: digest,
  ['POST _bulk_get']: bulkGet,
  ['POST _bulk_docs']: (scope, req, res, parts) =>
    bulkDocs(scope, req, res, { couch: parts.couch, bodyLimit: parts.limits.bodyBytes, freshContext: async (s) => (await parts.contexts.of(s, true)).context }),
  ['POST _revs_diff']: revsDiff,
  ['GET ']: dbInfo,
};

/** The database, the rest of the path (decoded) and the query of a request target; 400 when malformed. */
function target(url: string): { db: string; rest: string; query: URLSearchParams } {
  // Only the path and query of an origin-form target count: never a host or scheme the client names.
  const [path = '', search = ''] = url.split(/\?(.*)/s, 2);
  const [, dbPart = '', ...restParts] = path.split('/');
  try {
    return { db: decodeURIComponent(dbPart), rest: restParts.map(decodeURIComponent).join('/'), query: new URLSearchParams(search) };
  } catch {
    throw new GatewayError(400, 'bad_request', 'the request path has malformed percent-encoding');
  }
}

/** The gateway's router over the served databases. */
export function router(databases: Readonly<Record<string, GatewayDatabase>>, authenticate: Authenticate, parts: GatewayParts) {
  return async function route(req: IncomingMessage, res: ServerResponse, entry: RouteLog): Promise<void> {
    const method = req.method ?? 'GET';
    const { db, rest, query } = target(req.url ?? '/');
    entry.db = db;
    entry.endpoint = `${method} ${rest}`;
    const served = databases[db];
    if (!served) throw new GatewayError(404, 'not_found', `no database ${db} is served here`);
    const user = await authenticate(req);
    if (!user) throw new GatewayError(401, 'unauthorized', 'name or password is incorrect, or the session expired');
    entry.user = user.name;
    const scope = { user, db, served, log: entry };
    if (rest.startsWith('_local/') && ['GET', 'PUT', 'DELETE'].includes(method)) {
      await local(scope, req, res, parts, rest.slice('_local/'.length), query);
      return;
    }
    const endpoint = ROUTES[`${method} ${rest}`];
    if (!endpoint) throw new GatewayError(404, 'not_found', `${method} ${rest || '/'} is not served by the sync gateway`);
    await endpoint(scope, req, res, parts, query);
  };
}
