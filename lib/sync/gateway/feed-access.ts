/**
 * The access phase of the per-user feed: when the user's readable keys changed since the cursor (or the
 * feed starts from 0, under no keys), the documents of the gained keys are listed and those of the lost
 * keys the user held are removed, sorted by id and resumable after any of them. Candidates come from the
 * rules' `replication_keys` view; a document's full key set from the change index.
 */
import type { RulesQuery } from '../rules.js';
import { seesIn } from './feed.js';

/** One document the access phase tells about. */
export interface AccessEntry {
  readonly id: string;
  readonly rev: string;
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
  /** Current keys of a document, from the change index. */
  readonly keysOf: (id: string) => readonly string[] | undefined;
  /** Current winning revisions of client design docs, by id (absent when deleted or missing). */
  readonly designRevs: ReadonlyMap<string, string>;
  readonly wanted: ReadonlySet<string> | undefined;
  readonly limit: number;
  /** False: removals are not listed (nor counted). */
  readonly removals: boolean;
}

/** The answer: entries in id order, how many candidates are left, and whether a removal could not be judged. */
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
  const filed = new Map<string, string[]>();
  const viewKeys = moved.filter((key) => !key.startsWith('_design/'));
  for (const row of viewKeys.length > 0 ? await phase.query.viewByKeys('replication_keys', viewKeys) : []) {
    if (typeof row.value !== 'string' || typeof row.key !== 'string') continue;
    revs.set(row.id, row.value);
    filed.set(row.id, [...(filed.get(row.id) ?? []), row.key]);
  }
  for (const key of moved) {
    const rev = phase.designRevs.get(key);
    if (rev) revs.set(key, rev);
  }
  const candidates = [...revs.keys()]
    .filter((id) => (phase.after === undefined || id > phase.after) && (!phase.wanted || phase.wanted.has(id)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const entries: AccessEntry[] = [];
  let verify = false;
  let examined = 0;
  let lastId: string | undefined;
  for (const id of candidates) {
    if (entries.length >= phase.limit) break;
    examined += 1;
    lastId = id;
    // Changed since the cursor: the window phase told it, judged under the keys of now.
    if (phase.changed?.has(id)) continue;
    const keys = phase.keysOf(id) ?? filed.get(id) ?? [];
    const now = seesIn(r1, id, keys);
    const before = seesIn(r0, id, keys);
    // Held and still visible: nothing to tell.
    if (now && before) continue;
    if (now) { entries.push({ id, rev: revs.get(id)!, removed: false }); continue; }
    if (!before || !phase.removals) continue;
    if (phase.changed === undefined) verify = true;
    else entries.push({ id, rev: revs.get(id)!, removed: true });
  }
  return { entries, more: candidates.length - examined, lastId, verify };
}
