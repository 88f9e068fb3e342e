/**
 * The sync gateway: an HTTP handler an app mounts in front of CouchDB. Each request is authenticated
 * against CouchDB's `_session`, the user's access context is computed by the database's rules, and
 * only what the rules allow is read or written. It keeps no session state (its caches are an
 * optimisation only), so several can run behind a load balancer. This module wires the parts and
 * logs each request; each endpoint lives in its own module.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { accessKeyStore } from './access-keys.js';
import { changeIndexes } from './change-indexes.js';
import { contextCache } from './contexts.js';
import { corsStep } from './cors.js';
import { gatewayCouch } from './couch.js';
import type { GatewayParts } from './endpoint.js';
import { failureOf, sendJson } from './http.js';
import { listedRevisions } from './listed.js';
import type { SyncGateway, SyncGatewayOptions } from './options.js';
import { router } from './router.js';
import type { RouteLog } from './router.js';
import { sessionCache } from './sessions.js';
import { waitSlots } from './wait-slots.js';

export { gatewayDatabase } from './scope.js';
export type { GatewayDatabase } from './scope.js';
export type { GatewayLogEntry, GatewayStats, SyncGateway, SyncGatewayOptions } from './options.js';
export type { CacheStats } from './bounded-cache.js';
export type { CorsOptions } from './cors.js';

/** Creates a sync gateway for the given CouchDB and databases. */
export function createSyncGateway(options: SyncGatewayOptions): SyncGateway {
  const now = options.now ?? Date.now;
  const designIds = new Map(Object.entries(options.databases).map(([db, served]) => [db, served.rules.designDocId]));
  const couch = gatewayCouch(options.couchUrl, options.admin, designIds);
  const cacheEntries = options.maxCacheEntries;
  const followedTtl = options.followedContextTtlMs ?? 30 * 60_000;
  const contexts = contextCache(couch, options.contextTtlMs ?? 5_000, now, followedTtl, cacheEntries);
  const parts: GatewayParts = {
    couch,
    limits: {
      warnDocs: options.warnDocs ?? 10_000, maxDocs: options.maxDocs, bodyBytes: options.maxBodyBytes ?? 32 * 1024 * 1024,
      waitMs: options.maxWaitMs ?? 25_000, waitsPerUser: options.maxWaitsPerUser ?? 4,
    },
    contexts,
    listed: listedRevisions(options.listTtlMs ?? 2 * 60_000, now, cacheEntries),
    waits: waitSlots(options.maxWaitsPerUser ?? 4),
    indexes: changeIndexes(couch, contexts, options.changeWindow),
    store: accessKeyStore(couch, cacheEntries),
  };
  const sessions = sessionCache(couch, options.sessionTtlMs ?? 5_000, now, cacheEntries);
  const route = router(options.databases, sessions.authenticate, parts);
  const cors = corsStep(options.cors);

  const gateway = ((req: IncomingMessage, res: ServerResponse) => {
    const started = now();
    const entry: RouteLog = { endpoint: `${req.method ?? 'GET'} ${req.url ?? ''}` };
    let logged = false;
    const log = (status: number, aborted: boolean): void => {
      if (logged) return;
      logged = true;
      options.log?.({ user: entry.user, db: entry.db, endpoint: entry.endpoint, status, durationMs: now() - started, aborted, ...(entry.docs !== undefined ? { docs: entry.docs } : {}) });
    };
    res.once('close', () => log(res.statusCode, !res.writableFinished));
    // Tells the client it reached the gateway and not CouchDB or a proxy (GATEWAY_HEADER of the client).
    res.setHeader('x-fieldsync-gateway', '1');
    if (cors(req, res)) return;
    route(req, res, entry).catch((err: unknown) => {
      const failure = failureOf(err);
      if (!res.headersSent) sendJson(res, failure.status, failure.body);
      else res.destroy();
    });
  }) as SyncGateway;

  gateway.install = async () => {
    for (const [db, served] of Object.entries(options.databases)) {
      // A database created again (a restore) shares nothing with the old one: no key, no index, no cursor.
      parts.indexes.forget(db);
      parts.store.forget(db);
      await couch.ensureDesignDoc(db, served.rules.designDoc());
    }
  };
  gateway.close = () => parts.indexes.close();
  gateway.stats = () => ({
    sessions: sessions.stats(), contexts: contexts.stats(), listed: parts.listed.stats(), accessKeys: parts.store.stats(),
    waits: parts.waits.stats(), feedWaits: parts.indexes.waiting(),
  });
  return gateway;
}
