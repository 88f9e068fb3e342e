/**
 * The window phase of the per-user feed, pure: which of the changes after a cursor the user is told about,
 * and how. A key set here is the user's readable keys plus the client design doc ids they pull; R0 is the
 * set the cursor was given under, R1 the user's now.
 */
import type { WindowChange } from './change-window.js';

/** How a change reaches the user. */
export type Judged = 'change' | 'deleted' | 'removed';

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
}

/** True when a document with `keys` (or a client design doc listed as its id) is among the key set. */
export function seesIn(set: ReadonlySet<string>, id: string, keys: readonly string[]): boolean {
  return (id.startsWith('_design/') && set.has(id)) || keys.some((key) => set.has(key));
}

/** True when the user may hold the document as it was before `first` (given under R0, or as a gained one listed). */
function held(first: WindowChange, access: FeedAccess): boolean {
  if (seesIn(access.r0, first.id, first.before)) return true;
  if (access.listedUpTo === undefined || first.id > access.listedUpTo) return false;
  return first.before.some((key) => access.r1.has(key) && !access.r0.has(key));
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
  const judged: Array<{ change: WindowChange; how: Judged }> = [];
  for (const [id, last] of lasts) {
    if (seesIn(access.r1, id, last.after)) judged.push({ change: last, how: last.deleted ? 'deleted' : 'change' });
    else if (held(firsts.get(id)!, access)) judged.push({ change: last, how: last.deleted ? 'deleted' : 'removed' });
  }
  return judged;
}
