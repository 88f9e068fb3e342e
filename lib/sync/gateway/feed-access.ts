/**
 * The access phase of the per-user feed: when the user's readable keys changed since the cursor (or the
 * feed starts from 0, under no keys), the documents of the gained keys are listed and those of the lost
 * keys the user held are removed, sorted by id and resumable after any of them. Candidates come from the
 * rules' `replication_keys` view; a document's full key set from the change index.
 */
import type { RulesQuery } from '../rules.js';
import { readListedValue } from '../view-value.js';
import { seesIn } from './feed.js';

/** One document the access phase tells about. */
export interface AccessEntry {
  readonly id: string;
  readonly rev: string;
  /** Conflicting live leaves the view names beside the winner, unchecked (each may be about someone else). */
  readonly conflicts: readonly string[];
  readonly removed: boolean;
}

/** What the access phase needs. */
export interface AccessPhase {
  readonly query: RulesQuery;
  readonly r0: ReadonlySet<string>;
  readonly r1: ReadonlySet<string>;
  /** The last id already listed (the cursor's `k`). */
  readonly after: string | undefined;
  /** Ids changed after the cursor (judged by the window phase); undefined when the window did not cover it. */
  readonly changed: ReadonlySet<string> | undefined;
  /**
   * Ids changed after the access changed (the cursor's `b`, else its position); undefined when the window does
   * not cover it. A lost document is removed only when absent: its keys now are then those the user had it by.
   */
  readonly episode: ReadonlySet<string> | undefined;
  /** Current keys of a document, from the change index. */
  readonly keysOf: (id: string) => readonly string[] | undefined;
  /** Current winning revisions of client design docs, by id (absent when deleted or missing). */
  readonly designRevs: ReadonlyMap<string, string>;
  readonly wanted: ReadonlySet<string> | undefined;
  readonly limit: number;
  /** False: removals are not listed (nor counted). */
  readonly removals: boolean;
}

/** The answer: entries in id order, how many entries follow, and whether a removal could not be judged. */
export interface AccessAnswer {
  readonly entries: readonly AccessEntry[];
  readonly more: number;
  /** The last candidate examined: resuming after it loses nothing. */
  readonly lastId: string | undefined;
  readonly verify: boolean;
}

/** Lists the documents of the keys gained and lost between `r0` and `r1`. */
export async function accessPhase(phase: AccessPhase): Promise<AccessAnswer> {
  const { r0, r1 } = phase;
  const moved = [...new Set([...r1].filter((k) => !r0.has(k)).concat([...r0].filter((k) => !r1.has(k))))];
  const revs = new Map<string, string>();
  const conflicts = new Map<string, readonly string[]>();
  const filed = new Map<string, string[]>();
  const viewKeys = moved.filter((key) => !key.startsWith('_design/'));
  for (const row of viewKeys.length > 0 ? await phase.query.viewByKeys('replication_keys', viewKeys) : []) {
    const value = readListedValue(row.value);
    if (!value || typeof row.key !== 'string') continue;
    revs.set(row.id, value.rev);
    if (value.conflicts.length > 0) conflicts.set(row.id, value.conflicts);
    filed.set(row.id, [...(filed.get(row.id) ?? []), row.key]);
  }
  for (const key of moved) {
    const rev = phase.designRevs.get(key);
    if (rev) revs.set(key, rev);
  }
  const candidates = [...revs.keys()]
    .filter((id) => (phase.after === undefined || id > phase.after) && (!phase.wanted || phase.wanted.has(id)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  /** What the user is told of a candidate: an entry, a removal that cannot be judged, or nothing. */
  const verdict = (id: string): AccessEntry | 'verify' | undefined => {
    // Changed since the cursor: the window phase told it, judged under the keys of now.
    if (phase.changed?.has(id)) return undefined;
    const keys = phase.keysOf(id) ?? filed.get(id) ?? [];
    const now = seesIn(r1, id, keys);
    const before = seesIn(r0, id, keys);
    // Held and still visible: nothing to tell.
    if (now && before) return undefined;
    if (now) return { id, rev: revs.get(id)!, conflicts: conflicts.get(id) ?? [], removed: false };
    if (!before || !phase.removals) return undefined;
    // Its keys now are those it had when the access changed only when it did not change since.
    if (phase.changed === undefined || phase.episode === undefined) return 'verify';
    return phase.episode.has(id) ? undefined : { id, rev: revs.get(id)!, conflicts: [], removed: true };
  };
  const entries: AccessEntry[] = [];
  let verify = false;
  let more = 0;
  let lastId: string | undefined;
  for (const id of candidates) {
    const told = verdict(id);
    if (entries.length >= phase.limit) {
      // Only what will be told counts as pending: never the documents the user may not hear of.
      if (told === 'verify') verify = true;
      else if (told) more += 1;
      continue;
    }
    lastId = id;
    if (told === 'verify') verify = true;
    else if (told) entries.push(told);
  }
  return { entries, more, lastId, verify };
}
