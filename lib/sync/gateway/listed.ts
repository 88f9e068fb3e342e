/**
 * The pull list last given to each user: `_bulk_get` of exactly those revisions may be streamed from
 * CouchDB unread for `listTtlMs`, since the user was just told they may have them.
 */
import { boundedCache } from './bounded-cache.js';
import type { CacheStats } from './bounded-cache.js';
import { userKey } from './contexts.js';
import type { RequestScope } from './scope.js';

/** Revisions recently listed to each user. */
export interface ListedRevisions {
  /** Records the list (id to rev) just given to the user, replacing the last. */
  remember(scope: RequestScope, revs: ReadonlyMap<string, string>): void;
  /** Adds revisions the feed just listed to the user's list (several per id: a doc's leaves). */
  merge(scope: RequestScope, revs: ReadonlyArray<readonly [string, string]>): void;
  /** True when `rev` of `id` was listed to the user (by their last list or the feed since) less than `ttlMs` ago. */
  listed(scope: RequestScope, id: string, rev: string): boolean;
  /** The lists held, the revisions in them all, and the bounds on both. */
  stats(): ListedStats;
}

/** What the listed revisions hold. */
export interface ListedStats extends CacheStats {
  readonly revisions: number;
  readonly maxRevisions: number;
}

/** Lists kept at once, and revisions in them all (about 160 bytes each); beyond, the oldest lists go. */
export const LISTED_BOUNDS = { maxEntries: 1_000, maxWeight: 500_000 } as const;

/**
 * The listed revisions, each kept `ttlMs` from when it was listed (merging more never prolongs the others),
 * the lists of at most `maxEntries` users at once.
 */
export function listedRevisions(ttlMs: number, now: () => number, maxEntries: number = LISTED_BOUNDS.maxEntries): ListedRevisions {
  // Per user: id -> rev -> when it was last listed.
  type Listed = ReadonlyMap<string, ReadonlyMap<string, number>>;
  const weigh = (revs: Listed): number => { let n = 0; for (const held of revs.values()) n += held.size; return n; };
  const lists = boundedCache<Listed>({ ttlMs, maxEntries, maxWeight: LISTED_BOUNDS.maxWeight, weigh });
  return {
    remember(scope, revs) {
      const at = now();
      lists.set(userKey(scope), new Map([...revs].map(([id, rev]) => [id, new Map([[rev, at]])])), at);
    },
    merge(scope, revs) {
      if (revs.length === 0) return;
      const at = now();
      const merged = new Map<string, Map<string, number>>();
      for (const [id, held] of lists.get(userKey(scope), at) ?? []) {
        const young = new Map([...held].filter(([, listedAt]) => at - listedAt < ttlMs));
        if (young.size > 0) merged.set(id, young);
      }
      for (const [id, rev] of revs) {
        const held = merged.get(id) ?? new Map<string, number>();
        held.set(rev, at);
        merged.set(id, held);
      }
      lists.set(userKey(scope), merged, at);
    },
    listed(scope, id, rev) {
      const at = now();
      const listedAt = lists.get(userKey(scope), at)?.get(id)?.get(rev);
      return listedAt !== undefined && at - listedAt < ttlMs;
    },
    stats: () => ({ ...lists.stats(), revisions: lists.weight, maxRevisions: LISTED_BOUNDS.maxWeight }),
  };
}
