/**
 * Which local writes a push may not have sent: every change after the sequence a push covered, except
 * the pull's own writes and what is never pushed (design docs, removal tombstones, re-grant stand-ins).
 * A user's revision that lost to a downloaded one is still a leaf of its document, so every leaf counts,
 * not only the winner.
 */
import type { LocalDatabase, LocalDoc } from './local.js';

/** A leaf revision of `id`, or undefined when the device cannot read it. */
async function leaf(local: LocalDatabase, id: string, rev: string): Promise<LocalDoc | undefined> {
  try {
    return await local.get(id, { rev });
  } catch {
    return undefined;
  }
}

/** True when something written after `since` was neither the pull's (`touched`) nor filtered out by `pushes`. */
export async function unpushedSince(
  local: LocalDatabase, since: number | string, touched: ReadonlyMap<string, ReadonlySet<string>>, pushes: (doc: LocalDoc) => boolean,
): Promise<{ readonly found: boolean; readonly lastSeq: number | string }> {
  const { results, last_seq: lastSeq } = await local.changes({ since, style: 'all_docs' });
  const mine = (id: string, rev: string): boolean => touched.get(id)?.has(rev) === true || touched.get(id)?.has('') === true;
  for (const change of results) {
    if (change.id.startsWith('_design/')) continue;
    // Every leaf the pull did not write, deleted ones too: deleting a losing revision resolves a conflict.
    for (const { rev } of change.changes) {
      if (mine(change.id, rev)) continue;
      const doc = await leaf(local, change.id, rev);
      // A leaf that cannot be read is counted as unpushed: one more push is harmless, a lost write is not.
      if (!doc || pushes(doc)) return { found: true, lastSeq };
    }
  }
  return { found: false, lastSeq };
}
