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
 * What one user was listed: the pull list (all at one time) and what the feed listed since, each revision
 * with its time, in the order listed so the expired ones go from the front. A merge costs what it merges,
 * not the size of the pull list it joins.
 */
interface Listed {
  list: { readonly at: number; readonly revs: ReadonlyMap<string, string> } | undefined;
  readonly recent: Map<string, Map<string, number>>;
  readonly order: Array<{ readonly id: string; readonly rev: string; readonly at: number }>;
  start: number;
  count: number;
}

/**
 * The listed revisions, each kept `ttlMs` from when it was listed (merging more never prolongs the others),
 * the lists of at most `maxEntries` users at once.
 */
export function listedRevisions(ttlMs: number, now: () => number, maxEntries: number = LISTED_BOUNDS.maxEntries): ListedRevisions {
  const weigh = (listed: Listed): number => (listed.list?.revs.size ?? 0) + listed.count;
  const lists = boundedCache<Listed>({ ttlMs, maxEntries, maxWeight: LISTED_BOUNDS.maxWeight, weigh });
  const young = (at: number, listedAt: number): boolean => at - listedAt < ttlMs;
  /** Forgets what was listed `ttlMs` ago or more. */
  const prune = (listed: Listed, at: number): void => {
    if (listed.list && !young(at, listed.list.at)) listed.list = undefined;
    for (; listed.start < listed.order.length; listed.start += 1) {
      const { id, rev, at: listedAt } = listed.order[listed.start]!;
      if (young(at, listedAt)) break;
      const held = listed.recent.get(id);
      // Listed again later: that later listing keeps it.
      if (held?.get(rev) !== listedAt) continue;
      held.delete(rev);
      listed.count -= 1;
      if (held.size === 0) listed.recent.delete(id);
    }
    if (listed.start > 1_000 && listed.start * 2 > listed.order.length) {
      listed.order.splice(0, listed.start);
      listed.start = 0;
    }
  };
  return {
    remember(scope, revs) {
      const at = now();
      lists.set(userKey(scope), { list: { at, revs: new Map(revs) }, recent: new Map(), order: [], start: 0, count: 0 }, at);
    },
    merge(scope, revs) {
      if (revs.length === 0) return;
      const at = now();
      const listed: Listed = lists.get(userKey(scope), at) ?? { list: undefined, recent: new Map(), order: [], start: 0, count: 0 };
      prune(listed, at);
      for (const [id, rev] of revs) {
        const held = listed.recent.get(id) ?? new Map<string, number>();
        listed.recent.set(id, held);
        if (!held.has(rev)) listed.count += 1;
        held.set(rev, at);
        listed.order.push({ id, rev, at });
      }
      lists.set(userKey(scope), listed, at);
    },
    listed(scope, id, rev) {
      const at = now();
      const listed = lists.get(userKey(scope), at);
      if (!listed) return false;
      const listedAt = listed.recent.get(id)?.get(rev);
      if (listedAt !== undefined && young(at, listedAt)) return true;
      return listed.list !== undefined && young(at, listed.list.at) && listed.list.revs.get(id) === rev;
    },
    stats: () => ({ ...lists.stats(), revisions: lists.weight, maxRevisions: LISTED_BOUNDS.maxWeight }),
  };
}
