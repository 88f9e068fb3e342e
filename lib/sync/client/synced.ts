/**
 * Where the last complete sync left the device, kept in a `_local` doc (never replicated): the local
 * update sequence it reached (`seq`: every change up to it is on the server, held as refused, or never
 * pushed), and where PouchDB's push checkpoint was last moved (`pushedTo`). When the database is still
 * at `seq`, nothing was written since and the push is skipped without a request.
 */
import type { LocalDatabase, LocalDoc } from './local.js';

const SYNCED_ID = '_local/fieldsync-synced';

/** What the last complete sync recorded; both 0 when none (a new, empty database has nothing to push). */
export interface Synced {
  readonly seq: number | string;
  /** The local sequence the push checkpoint was last moved to (by a push or a `since`). */
  readonly pushedTo: number | string;
}

/** The recorded sequences. */
export async function loadSynced(local: LocalDatabase): Promise<Synced> {
  try {
    const doc = (await local.get(SYNCED_ID)) as LocalDoc & { seq?: number | string; pushedTo?: number | string };
    return { seq: doc.seq ?? 0, pushedTo: doc.pushedTo ?? 0 };
  } catch {
    return { seq: 0, pushedTo: 0 };
  }
}

/** The recorded sequence of the last complete sync; 0 when none. */
export async function syncedSeq(local: LocalDatabase): Promise<number | string> {
  return (await loadSynced(local)).seq;
}

/** Records what a complete sync reached. */
export async function saveSynced(local: LocalDatabase, synced: Synced): Promise<void> {
  let rev: string | undefined;
  try {
    rev = (await local.get(SYNCED_ID))._rev;
  } catch {
    rev = undefined;
  }
  await local.put({ _id: SYNCED_ID, ...(rev ? { _rev: rev } : {}), seq: synced.seq, pushedTo: synced.pushedTo });
}

/**
 * Changes between where the push checkpoint was moved and the synced sequence: documents the pull
 * wrote, which a push from the checkpoint would offer the server again. Infinity when the sequences
 * are not numbers (every PouchDB adapter counts with numbers; other sequences are never compared).
 */
export function checkpointLag(synced: Synced): number {
  const seq = Number(synced.seq);
  const pushedTo = Number(synced.pushedTo);
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(pushedTo)) return Infinity;
  return Math.max(0, seq - pushedTo);
}
