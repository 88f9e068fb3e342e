/**
 * One answer of the per-user feed from a cursor: the window phase (or the CouchDB fallback when the cursor
 * is outside the window), then the access phase when the user's keys changed since the cursor, cut at
 * `limit`. Every entry carries the cursor that resumes right after it.
 */
import type { ChangeIndex } from './change-index.js';
import type { GatewayCouch } from './couch.js';
import { accessPhase } from './feed-access.js';
import { fallbackFeed } from './feed-fallback.js';
import type { CursorPayload } from './cursor.js';
import { judgeWindow } from './feed.js';
import type { RequestScope } from './scope.js';

/** One entry before it is rendered. */
export interface FeedItem {
  readonly cursor: CursorPayload;
  readonly id: string;
  /** The winner, or with `style=all_docs` every leaf (the losing ones unchecked: see changes-feed.ts). */
  readonly revs: readonly string[];
  readonly winner: string;
  readonly deleted: boolean;
  readonly removed: boolean;
}

/** The entries, the cursor after them, what is known to follow, and whether removals may be missing. */
export interface FeedAnswer {
  readonly items: readonly FeedItem[];
  readonly last: CursorPayload;
  readonly pending: number;
  readonly verify: boolean;
}

/** What an answer is computed from. */
export interface FeedInput {
  readonly scope: RequestScope;
  readonly couch: GatewayCouch;
  readonly index: ChangeIndex;
  readonly cursor: CursorPayload;
  /** Keys the cursor was given under; undefined when they are not stored (the feed then starts over). */
  readonly r0: ReadonlySet<string> | undefined;
  /** The user's keys now (readable keys and client design doc ids) and their digest. */
  readonly r1: ReadonlySet<string>;
  readonly a1: string;
  /** Digest of no keys: a cursor under unknown keys restarts under it. */
  readonly none: string;
  readonly limit: number;
  readonly allDocs: boolean;
  readonly removals: boolean;
  readonly wanted: ReadonlySet<string> | undefined;
}

/** Computes the answer. */
export async function feedAnswer(input: FeedInput): Promise<FeedAnswer> {
  const { index, limit, r1, wanted } = input;
  let verify = input.r0 === undefined;
  const cursor: CursorPayload = input.r0 === undefined ? { s: input.cursor.s, a: input.none } : input.cursor;
  const r0 = input.r0 ?? new Set<string>();
  const k = input.r0 === undefined ? undefined : cursor.k;
  // While the cursor's access is not the user's, every cursor handed out keeps where it still was.
  const b = input.r0 === undefined || (cursor.a === input.a1 && k === undefined) ? undefined : cursor.b ?? cursor.s;
  const carried = { a: cursor.a, ...(k !== undefined ? { k } : {}), ...(b !== undefined ? { b } : {}) };
  const end = index.position();
  const items: FeedItem[] = [];
  const revsOf = (revs: readonly string[], winner: string): readonly string[] => (input.allDocs ? revs : [winner]);
  const take = (item: FeedItem): void => { if (!item.removed || input.removals) items.push(item); };
  const windowed = index.after(cursor.s);
  // The changes since the access changed: what a document was filed under while the user still had `a`.
  const episode = b === undefined || b === cursor.s ? windowed : index.after(b);
  let changed: ReadonlySet<string> | undefined;
  let more = 0;
  if (windowed) {
    changed = new Set(windowed.map((c) => c.id));
    const all = judgeWindow(windowed, { r0, r1, ...(k !== undefined ? { listedUpTo: k } : {}), ...(episode !== windowed ? { episode: episode ?? null } : {}) })
      .filter((j) => !wanted || wanted.has(j.change.id));
    verify ||= all.some((j) => j.how === 'unsure');
    const judged = all.filter((j) => j.how !== 'unsure' && (j.how !== 'removed' || input.removals));
    for (const { change, how } of judged.slice(0, limit)) {
      take({
        cursor: { s: change.seq, ...carried }, id: change.id, revs: how === 'removed' ? [] : revsOf(change.revs, change.winner), winner: change.winner,
        deleted: how === 'deleted', removed: how === 'removed',
      });
    }
    more = Math.max(0, judged.length - limit);
  } else {
    const fallback = await fallbackFeed({
      couch: input.couch, db: input.scope.db, rules: input.scope.served.rules, since: cursor.s, r1, keysOf: (id) => index.keysOf(id), wanted, limit,
    });
    verify ||= fallback.verify;
    for (const entry of fallback.entries) {
      take({
        cursor: { s: entry.seq, ...carried }, id: entry.id, revs: revsOf(entry.revs, entry.winner), winner: entry.winner, deleted: entry.deleted, removed: false,
      });
    }
    if (!fallback.complete) more = 1;
  }
  if (more > 0) return { items, last: items.at(-1)?.cursor ?? { s: cursor.s, ...carried }, pending: more, verify };
  if (cursor.a === input.a1 && k === undefined) return { items, last: { s: end, a: input.a1 }, pending: 0, verify };
  const designRevs = new Map<string, string>();
  for (const row of await input.couch.allDocs(input.scope.db, input.scope.served.clientDesignDocs, false)) {
    if (row.rev && !row.deleted) designRevs.set(row.id, row.rev);
  }
  const access = await accessPhase({
    query: input.couch.query(input.scope.db), r0, r1, after: k, changed, episode: episode && new Set(episode.map((c) => c.id)), keysOf: (id) => index.keysOf(id), designRevs, wanted,
    limit: limit - items.length, removals: input.removals,
  });
  verify ||= access.verify;
  for (const entry of access.entries) {
    take({
      cursor: { s: end, ...carried, k: entry.id }, id: entry.id, revs: entry.removed ? [] : revsOf([entry.rev, ...entry.conflicts], entry.rev),
      winner: entry.rev, deleted: false, removed: entry.removed,
    });
  }
  if (access.more > 0) {
    const resume = access.lastId ?? k;
    return { items, last: { s: end, ...carried, ...(resume !== undefined ? { k: resume } : {}) }, pending: access.more, verify };
  }
  return { items, last: { s: end, a: input.a1 }, pending: 0, verify };
}
