/**
 * The user-context cache: a user's access context and readable keys, computed by the database's rules
 * and reused for `contextTtlMs` by the endpoints that may use a slightly old one (`_bulk_get`). The feed
 * reuses a context it computed for up to `followedTtlMs`: its change index follows the database, drops
 * every context a change may alter (see `invalidate`) and has caught up before the feed reads one, so
 * such a context is the one the rules would compute now; the TTL only bounds what is held.
 */
import type { AnyDoc } from '../rules.js';
import { boundedCache } from './bounded-cache.js';
import type { CacheStats } from './bounded-cache.js';
import type { GatewayCouch } from './couch.js';
import type { RequestScope } from './scope.js';

/** A user's access, as the rules computed it. */
export interface UserAccess {
  readonly context: unknown;
  readonly readable: ReadonlySet<string>;
}

/** The cache of user contexts. */
export interface ContextCache {
  /** The user's access; `fresh` recomputes it (and refreshes the cache). */
  of(scope: RequestScope, fresh: boolean): Promise<UserAccess>;
  /**
   * The user's access for the feed, whose change index `follower` (an opaque token of the running index)
   * has caught up with the database: a context computed here while the same index followed is reused up to
   * `followedTtlMs`, since every change that may alter it since then dropped it.
   */
  followed(scope: RequestScope, follower: object): Promise<UserAccess>;
  /**
   * Drops the cached contexts of `db` whose readable keys (or the user's own settings id) meet `keys`: a
   * change filed under them may alter those users' access. Contexts being computed meanwhile are not kept.
   */
  invalidate(db: string, keys: ReadonlySet<string>): void;
  /** The contexts held and the bound on them. */
  stats(): CacheStats;
}

/** The key a user's cached state is filed under: database, name and roles. */
export function userKey(scope: RequestScope): string {
  return `${scope.db}\u0000${scope.user.name}\u0000${scope.user.roles.join(',')}`;
}

/** True when the user may read `doc` (its replication keys meet the readable ones, or it is a client design doc). */
export function visible(scope: RequestScope, readable: ReadonlySet<string>, doc: AnyDoc): boolean {
  if (scope.served.clientDesignDocs.includes(doc._id)) return true;
  return scope.served.rules.replicationKeys(doc).some((key) => readable.has(key));
}

/** A deletion that carries nothing but its id and revisions. */
export function isBareTombstone(doc: AnyDoc): boolean {
  return doc._deleted === true && Object.keys(doc).every((key) => ['_id', '_rev', '_deleted', '_revisions'].includes(key));
}

/** Users whose context is kept at once; beyond, the oldest are dropped (and recomputed when asked). */
export const MAX_CACHED_CONTEXTS = 1_000;

/** Invalidations remembered for contexts being computed; one computed across more is not kept. */
const MAX_RECENT_INVALIDATIONS = 1_000;

interface Entry extends UserAccess {
  readonly settingsId: string;
  readonly at: number;
  /** The change index that followed the database while the context was computed (the feed's), if any. */
  readonly follower: object | undefined;
}

/**
 * A context cache over `couch`: entries reused `ttlMs`, or `followedTtlMs` by the feed that computed them,
 * at most `maxEntries` at once.
 */
export function contextCache(
  couch: GatewayCouch, ttlMs: number, now: () => number, followedTtlMs = ttlMs, maxEntries = MAX_CACHED_CONTEXTS,
): ContextCache {
  const cache = boundedCache<Entry>({ ttlMs: Math.max(ttlMs, followedTtlMs), maxEntries });
  // Recent invalidations, numbered, so a context computed meanwhile is kept only when none concerns it.
  let generation = 0;
  const recent: Array<{ readonly generation: number; readonly db: string; readonly keys: ReadonlySet<string> }> = [];
  const concerns = (db: string, keys: ReadonlySet<string>, entry: { readable: ReadonlySet<string>; settingsId: string }): boolean =>
    keys.has(entry.settingsId) || [...keys].some((k) => entry.readable.has(k));
  const compute = async (scope: RequestScope, follower: object | undefined): Promise<Entry> => {
    const started = generation;
    const context = await scope.served.rules.context(scope.user, couch.query(scope.db));
    const at = now();
    const entry = { context, readable: new Set(scope.served.rules.readableKeys(context)), settingsId: `org.couchdb.user:${scope.user.name}`, at, follower };
    const missed = (recent[0]?.generation ?? generation + 1) > started + 1 && generation > started;
    if (!missed && !recent.some((r) => r.generation > started && r.db === scope.db && concerns(r.db, r.keys, entry))) cache.set(userKey(scope), entry, at);
    return entry;
  };
  return {
    async of(scope, fresh) {
      const cached = fresh ? undefined : cache.get(userKey(scope), now());
      if (cached && now() - cached.at < ttlMs) return cached;
      return compute(scope, undefined);
    },
    async followed(scope, follower) {
      const cached = cache.get(userKey(scope), now());
      if (cached && now() - cached.at < (cached.follower === follower ? followedTtlMs : ttlMs)) return cached;
      return compute(scope, follower);
    },
    invalidate(db, keys) {
      generation += 1;
      recent.push({ generation, db, keys });
      if (recent.length > MAX_RECENT_INVALIDATIONS) recent.splice(0, recent.length - MAX_RECENT_INVALIDATIONS);
      const prefix = `${db}\u0000`;
      for (const [key, entry] of cache.entries()) {
        if (key.startsWith(prefix) && concerns(db, keys, entry)) cache.delete(key);
      }
    },
    stats: () => cache.stats(),
  };
}
