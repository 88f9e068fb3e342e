/**
 * The pull list last given to each user: `_bulk_get` of exactly those revisions may be streamed from
 * CouchDB unread for `listTtlMs`, since the user was just told they may have them.
 */
import { boundedCache } from './bounded-cache.js';
import { userKey } from './contexts.js';
import type { RequestScope } from './scope.js';

/** Revisions recently listed to each user. */
export interface ListedRevisions {
  /** Records the list (id to rev) just given to the user, replacing the last. */
  remember(scope: RequestScope, revs: ReadonlyMap<string, string>): void;
  /** Adds revisions the feed just listed to the user's list (several per id: a doc's leaves). */
  merge(scope: RequestScope, revs: ReadonlyArray<readonly [string, string]>): void;
  /** True when `rev` of `id` was in the user's last list, and that list is still young enough. */
  listed(scope: RequestScope, id: string, rev: string): boolean;
}

/** Lists kept at once, and revisions in them all (about 160 bytes each); beyond, the oldest lists go. */
export const LISTED_BOUNDS = { maxEntries: 1_000, maxWeight: 500_000 } as const;

/** The listed revisions, each list kept `ttlMs`. */
export function listedRevisions(ttlMs: number, now: () => number): ListedRevisions {
  const lists = boundedCache<ReadonlyMap<string, string | ReadonlySet<string>>>({ ttlMs, ...LISTED_BOUNDS, weigh: (revs) => revs.size });
  return {
    remember(scope, revs) {
      lists.set(userKey(scope), revs, now());
    },
    merge(scope, revs) {
      if (revs.length === 0) return;
      const merged = new Map(lists.get(userKey(scope), now()) ?? []);
      for (const [id, rev] of revs) {
        const held = merged.get(id);
        if (held === undefined || held === rev) merged.set(id, rev);
        else merged.set(id, new Set([...(typeof held === 'string' ? [held] : held), rev]));
      }
      lists.set(userKey(scope), merged, now());
    },
    listed(scope, id, rev) {
      const held = lists.get(userKey(scope), now())?.get(id);
      return held === rev || (typeof held === 'object' && held.has(rev));
    },
  };
}
