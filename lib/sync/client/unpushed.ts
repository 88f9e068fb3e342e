/**
 * Which local writes a push may not have sent: every change after the sequence a push covered, except
 * the pull's own writes and what is never pushed (design docs, removal tombstones, re-grant stand-ins).
 * A user's revision that lost to a downloaded one is still a leaf of its document, so every leaf counts,
 * not only the winner.
 */
import { batches } from '../protocol.js';
import type { LocalDatabase, LocalDoc } from './local.js';

/** True when something written after `since` was neither the pull's (`touched`) nor filtered out by `pushes`. */
export async function unpushedSince(
  local: LocalDatabase, since: number | string, touched: ReadonlyMap<string, ReadonlySet<string>>, pushes: (doc: LocalDoc) => boolean,
): Promise<{ readonly found: boolean; readonly lastSeq: number | string }> {
  const { results, last_seq: lastSeq } = await local.changes({ since, style: 'all_docs' });
  const mine = (id: string, rev: string): boolean => touched.get(id)?.has(rev) === true || touched.get(id)?.has('') === true;
  // Cheap first: a change whose every leaf the pull wrote is the pull's.
  const suspects = results.filter((change) => !change.id.startsWith('_design/') && !change.changes.every((c) => mine(change.id, c.rev)));
  for (const part of batches(suspects.map((change) => change.id), 500)) {
    for (const row of (await local.allDocs({ keys: part, include_docs: true, conflicts: true })).rows) {
      if (!row.value) continue;
      const winner = row.value.deleted ? await local.get(row.id, { rev: row.value.rev }) : row.doc;
      if (!winner) continue;
      if (pushes(winner) && !mine(row.id, row.value.rev)) return { found: true, lastSeq };
      const conflicts = (winner['_conflicts'] ?? []) as string[];
      if (conflicts.some((rev) => !mine(row.id, rev))) return { found: true, lastSeq };
    }
  }
  return { found: false, lastSeq };
}
