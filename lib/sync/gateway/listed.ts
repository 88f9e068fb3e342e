/**
 * The pull list last given to each user: `_bulk_get` of exactly those revisions may be streamed from
 * CouchDB unread for `listTtlMs`, since the user was just told they may have them.
 */
import { userKey } from './contexts.js';
import type { RequestScope } from './scope.js';

/** Revisions recently listed to each user. */
export interface ListedRevisions {
  /** Records the list (id to rev) just given to the user. */
  remember(scope: RequestScope, revs: ReadonlyMap<string, string>): void;
  /** True when `rev` of `id` was in the user's last list, and that list is still young enough. */
  listed(scope: RequestScope, id: string, rev: string): boolean;
}

/** The listed revisions, each list kept `ttlMs`. */
export function listedRevisions(ttlMs: number, now: () => number): ListedRevisions {
  const lists = new Map<string, { revs: ReadonlyMap<string, string>; expires: number }>();
  return {
    remember(scope, revs) {
      lists.set(userKey(scope), { revs, expires: now() + ttlMs });
    },
    listed(scope, id, rev) {
      const list = lists.get(userKey(scope));
      return list !== undefined && list.expires > now() && list.revs.get(id) === rev;
    },
  };
}
