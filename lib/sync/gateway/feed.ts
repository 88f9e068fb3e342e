/**
 * The window phase of the per-user feed, pure: which of the changes after a cursor the user is told about,
 * and how. A key set here is the user's readable keys plus the client design doc ids they pull; R0 is the
 * set the cursor was given under, R1 the user's now.
 */
import type { WindowChange } from './change-window.js';

/**
 * How a change reaches the user; `unsure`: a document they may have held cannot be shown to have been
 * theirs, so nothing is told of it (the answer then asks fieldsync's client to verify).
 */
export type Judged = 'change' | 'deleted' | 'removed' | 'unsure';

/** The access a judgement is made under. */
export interface FeedAccess {
  /** Keys the cursor was given under. */
  readonly r0: ReadonlySet<string>;
  /** Keys the user holds now. */
  readonly r1: ReadonlySet<string>;
  /**
   * While documents of gained keys were being listed (the cursor's `k`): the last id listed. Documents of
   * gained keys up to it were given to the user, so the user may hold them.
   */
  readonly listedUpTo?: string;
  /**
   * When the cursor's access stopped being the user's before its position (the cursor's `b`): the changes
   * after that start, so a document counts as held under R0 only by the keys it had there; `null` when the
   * window no longer holds them (then nothing counts as held under R0).
   */
  readonly episode?: readonly WindowChange[] | null;
}

/** True when a document with `keys` (or a client design doc listed as its id) is among the key set. */
export function seesIn(set: ReadonlySet<string>, id: string, keys: readonly string[]): boolean {
  return (id.startsWith('_design/') && set.has(id)) || keys.some((key) => set.has(key));
}

/**
 * Whether the user holds the document as it was before `first`: given under R0 (by its keys at the start
 * of the access change, `atStart`; null when unknown), or maybe as a gained one listed. The keys gained
 * then are not known (R1 may have changed since), so a gained one is never shown as held: `unsure`.
 */
function held(first: WindowChange, atStart: WindowChange | null, access: FeedAccess): 'held' | 'unsure' | 'no' {
  if (atStart && seesIn(access.r0, first.id, atStart.before)) return 'held';
  if (!atStart && seesIn(access.r0, first.id, first.before)) return 'unsure';
  if (access.listedUpTo === undefined || first.id > access.listedUpTo) return 'no';
  return first.before.some((key) => access.r1.has(key) && !access.r0.has(key)) ? 'unsure' : 'no';
}

/**
 * The changes after a cursor as the user's feed lists them, one per document at its latest change, in the
 * window's order: a change or deletion of what the user may see now; a deletion, or a removal, of what
 * they held and may no longer see; nothing of documents they never held nor may see.
 */
export function judgeWindow(changes: readonly WindowChange[], access: FeedAccess): Array<{ readonly change: WindowChange; readonly how: Judged }> {
  const firsts = new Map<string, WindowChange>();
  const lasts = new Map<string, WindowChange>();
  for (const change of changes) {
    if (!firsts.has(change.id)) firsts.set(change.id, change);
    lasts.delete(change.id);
    lasts.set(change.id, change);
  }
  // Visible under R0 at some change after the cursor: the user may hold it without having been given it
  // by the feed (their own write, pushed before this read), so it is never simply left out.
  const seenUnderR0 = new Set<string>();
  for (const change of changes) if (seesIn(access.r0, change.id, change.after)) seenUnderR0.add(change.id);
  const starts = new Map<string, WindowChange>();
  for (const change of access.episode ?? []) if (!starts.has(change.id)) starts.set(change.id, change);
  const judged: Array<{ change: WindowChange; how: Judged }> = [];
  for (const [id, last] of lasts) {
    const first = firsts.get(id)!;
    const atStart = access.episode === undefined ? first : access.episode === null ? null : starts.get(id) ?? first;
    if (seesIn(access.r1, id, last.after)) { judged.push({ change: last, how: last.deleted ? 'deleted' : 'change' }); continue; }
    const verdict = held(first, atStart, access);
    if (verdict === 'held') judged.push({ change: last, how: last.deleted ? 'deleted' : 'removed' });
    else if (verdict === 'unsure' || seenUnderR0.has(id)) judged.push({ change: last, how: 'unsure' });
  }
  return judged;
}
