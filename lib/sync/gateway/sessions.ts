/**
 * Authentication: who a request's `Authorization` or `Cookie` header is, asked of CouchDB's `_session`
 * and trusted for `sessionTtlMs` without asking again.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { SyncUser } from '../rules.js';
import { boundedCache } from './bounded-cache.js';
import type { CacheStats } from './bounded-cache.js';
import type { GatewayCouch } from './couch.js';

/** Credentials remembered at once; beyond, the oldest are asked of `_session` again. */
export const MAX_CACHED_SESSIONS = 10_000;

/** Tells who is asking. */
export type Authenticate = (req: IncomingMessage) => Promise<SyncUser | undefined>;

/** The authenticator and what its cache holds. */
export interface Sessions {
  readonly authenticate: Authenticate;
  stats(): CacheStats;
}

/** An authenticator over `couch`, trusting a checked credential for `ttlMs`, at most `maxEntries` at once. */
export function sessionCache(couch: GatewayCouch, ttlMs: number, now: () => number, maxEntries = MAX_CACHED_SESSIONS): Sessions {
  const sessions = boundedCache<SyncUser>({ ttlMs, maxEntries });
  const authenticate: Authenticate = async (req) => {
    const headers = { ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), ...(req.headers.cookie ? { cookie: req.headers.cookie } : {}) };
    const key = createHash('sha256').update(`${headers.authorization ?? ''}\u0000${headers.cookie ?? ''}`).digest('base64');
    const known = sessions.get(key, now());
    if (known) return known;
    const user = await couch.session(headers);
    if (user) sessions.set(key, user, now());
    else sessions.delete(key);
    return user;
  };
  return { authenticate, stats: () => sessions.stats() };
}
