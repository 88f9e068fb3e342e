/**
 * The local update sequence at the end of the last complete sync, kept in a `_local` doc (never
 * replicated). When the database is still at that sequence nothing was written since, and the push
 * is skipped without a request.
 */
import type { LocalDatabase, LocalDoc } from './local.js';

const SYNCED_ID = '_local/fieldsync-synced';

/** The recorded sequence; 0 when none (a new, empty database has nothing to push either). */
export async function syncedSeq(local: LocalDatabase): Promise<number | string> {
  try {
    const doc = (await local.get(SYNCED_ID)) as LocalDoc & { seq?: number | string };
    return doc.seq ?? 0;
  } catch {
    return 0;
  }
}

/** Records the sequence a complete sync reached. */
export async function saveSyncedSeq(local: LocalDatabase, seq: number | string): Promise<void> {
  let rev: string | undefined;
  try {
    rev = (await local.get(SYNCED_ID))._rev;
  } catch {
    rev = undefined;
  }
  await local.put({ _id: SYNCED_ID, ...(rev ? { _rev: rev } : {}), seq });
}
