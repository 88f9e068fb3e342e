/**
 * What the feed stores in CouchDB so any gateway can answer any cursor: the signing key of each database
 * (`_local/fieldsync-feed-key`, 32 random bytes made by the first gateway that needs one) and, for every
 * access digest a cursor carries, the readable keys it stands for (`_local/fieldsync-access-<digest>`,
 * written once). `_local` documents are not replicated, and users cannot reach these: the gateway's
 * `_local` endpoint files a user's checkpoints under `fieldsync~<user>~`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { boundedCache } from './bounded-cache.js';
import type { CacheStats } from './bounded-cache.js';
import type { GatewayCouch } from './couch.js';

/** Id of the local doc holding a database's cursor signing key. */
export const FEED_KEY_ID = '_local/fieldsync-feed-key';

/** Access digests whose keys are held in memory at once; beyond, the oldest are read again. */
export const MAX_CACHED_ACCESS = 10_000;

/** The digest of a set of readable keys: the first 128 bits (hex) of sha256 over the sorted keys. */
export function accessDigest(keys: Iterable<string>): string {
  return createHash('sha256').update(JSON.stringify([...keys].sort())).digest('hex').slice(0, 32);
}

/** The digest of no access at all: what a feed from the start resumes as. */
export const NO_ACCESS = accessDigest([]);

/** The feed's storage in CouchDB. */
export interface AccessKeyStore {
  /** The database's signing key, created when there is none. */
  signingKey(db: string): Promise<string>;
  /** The keys stored for `digest`; undefined when none are stored. */
  keysOf(db: string, digest: string): Promise<ReadonlySet<string> | undefined>;
  /** Stores the keys of their digest (once; a digest already stored is left as it is). */
  remember(db: string, keys: ReadonlySet<string>): Promise<string>;
  /** Forgets the signing key held in memory for `db` (the database was created again): it is read again. */
  forget(db: string): void;
  /** The key sets held in memory (they never change, so they never expire: only the oldest are evicted). */
  stats(): CacheStats;
}

function isMissing(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 404;
}

function isConflict(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 409;
}

/** The store over `couch`, holding at most `maxEntries` key sets in memory. */
export function accessKeyStore(couch: GatewayCouch, maxEntries = MAX_CACHED_ACCESS): AccessKeyStore {
  // One signing key per served database.
  const signing = new Map<string, Promise<string>>();
  const known = boundedCache<ReadonlySet<string>>({ ttlMs: Number.MAX_SAFE_INTEGER / 2, maxEntries });
  const accessPath = (digest: string): string => `_local/fieldsync-access-${digest}`;
  const readKey = async (db: string): Promise<string> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const stored = (await couch.request(db, 'GET', FEED_KEY_ID)) as { key?: unknown };
        if (typeof stored.key !== 'string' || stored.key.length < 40) throw new Error(`${FEED_KEY_ID} of ${db} holds no key`);
        return stored.key;
      } catch (err) {
        if (!isMissing(err) || attempt > 0) throw err;
      }
      try {
        await couch.request(db, 'PUT', FEED_KEY_ID, undefined, { key: randomBytes(32).toString('base64') });
      } catch (err) {
        // Another gateway made it first: read theirs.
        if (!isConflict(err)) throw err;
      }
    }
  };
  return {
    stats: () => known.stats(),
    forget: (db) => { signing.delete(db); },
    signingKey(db) {
      let key = signing.get(db);
      if (!key) {
        key = readKey(db);
        signing.set(db, key);
        key.catch(() => signing.delete(db));
      }
      return key;
    },
    async keysOf(db, digest) {
      if (digest === NO_ACCESS) return new Set();
      const cacheKey = `${db}\u0000${digest}`;
      const cached = known.get(cacheKey, 0);
      if (cached) return cached;
      try {
        const stored = (await couch.request(db, 'GET', accessPath(digest))) as { keys?: unknown };
        if (!Array.isArray(stored.keys) || !stored.keys.every((k) => typeof k === 'string')) return undefined;
        const keys = new Set(stored.keys);
        if (accessDigest(keys) !== digest) return undefined;
        known.set(cacheKey, keys, 0);
        return keys;
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
    },
    async remember(db, keys) {
      const digest = accessDigest(keys);
      const cacheKey = `${db}\u0000${digest}`;
      if (digest === NO_ACCESS || known.get(cacheKey, 0)) return digest;
      try {
        await couch.request(db, 'PUT', accessPath(digest), undefined, { keys: [...keys].sort() });
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
      known.set(cacheKey, keys, 0);
      return digest;
    },
  };
}
