/**
 * The pull list last given to each user: `_bulk_get` of exactly those revisions may be streamed from
 * CouchDB unread for `listTtlMs`, since the user was just told they may have them.
 */
import { boundedCache } from './bounded-cache.js';
import { userKey } from './contexts.js';
import type { RequestScope } from './scope.js';

/** Revisions recently listed to each user. */
export interface ListedRevisions {
  /** Records the list (id to rev) just given to the user. */
  remember(scope: RequestScope, revs: ReadonlyMap<string, string>): void;
  /** True when `rev` of `id` was in the user's last list, and that list is still young enough. */
  listed(scope: RequestScope, id: string, rev: string): boolean;
}

/** Lists kept at once, and revisions in them all (about 160 bytes each); beyond, the oldest lists go. */
export const LISTED_BOUNDS = { maxEntries: 1_000, maxWeight: 500_000 } as const;

/** The listed revisions, each list kept `ttlMs`. */
export function listedRevisions(ttlMs: number, now: () => number): ListedRevisions {
  const lists = boundedCache<ReadonlyMap<string, string>>({ ttlMs, ...LISTED_BOUNDS, weigh: (revs) => revs.size });
  return {
    remember(scope, revs) {
      lists.set(userKey(scope), revs, now());
    },
    listed(scope, id, rev) {
      return lists.get(userKey(scope), now())?.get(id) === rev;
    },
  };
}
