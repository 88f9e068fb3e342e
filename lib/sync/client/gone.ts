/**
 * Removing what the server says the device must no longer hold: ask `_fieldsync/gone` about the
 * revisions the device holds (each by the newest revision of its history the server knows), keep in
 * the quarantine every local revision the server never had, then purge or tombstone the documents.
 * Both the list-and-diff pull and the feed pull end here, so a removal works the same either way.
 */
import { batches } from '../protocol.js';
import type { IdRev } from '../protocol.js';
import { addToQuarantine } from './held.js';
import type { QuarantinedDoc } from './held.js';
import type { LocalDatabase } from './local.js';
import type { PullEvents, ServerRevsDiff } from './pull.js';
import type { Remote } from './remote.js';
import { liveLeaves, removeLocally } from './removal.js';
import type { RemovalState, Touched } from './removal.js';

/** The revision to ask the server about for a local winner: a re-grant stand-in stands for the server's. */
export function askedRev(state: RemovalState, id: string, localRev: string): string {
  const standIn = state.restored[id];
  return standIn && standIn.local === localRev ? standIn.server : localRev;
}

/** Live local revisions of these documents that the server lacks, with their bodies. */
async function unknownToServer(
  local: LocalDatabase, serverRevsDiff: ServerRevsDiff, rows: ReadonlyArray<{ id: string; reason: 'deleted' | 'not-visible' }>, state: RemovalState,
): Promise<QuarantinedDoc[]> {
  const leaves: Record<string, string[]> = {};
  for (const row of rows) {
    // A re-grant stand-in is the server's own content, not the user's work.
    const mine = (await liveLeaves(local, row.id)).filter((rev) => rev !== state.restored[row.id]?.local);
    if (mine.length > 0) leaves[row.id] = mine;
  }
  if (Object.keys(leaves).length === 0) return [];
  const diff = await serverRevsDiff(leaves);
  const entries: QuarantinedDoc[] = [];
  for (const row of rows) {
    for (const rev of diff[row.id]?.missing ?? []) {
      entries.push({ id: row.id, rev, reason: row.reason, doc: await local.get(row.id, { rev, attachments: true }) });
    }
  }
  return entries;
}

/**
 * For each held revision, the newest revision of its history that the server has: a document edited
 * here since it was last synced is asked about by the revision the server knows, so a revoke still
 * finds it (and its edit goes to the quarantine). A history the server has none of (never pushed, or
 * a server restored from an older backup) is asked about as it is, and the gateway answers `unknown`.
 */
export async function knownToServer(local: LocalDatabase, serverRevsDiff: ServerRevsDiff, held: readonly IdRev[]): Promise<IdRev[]> {
  const out: IdRev[] = [];
  for (const part of batches(held, 1_000)) {
    const asked = part.filter((p) => p.rev !== '');
    const diff = asked.length > 0 ? await serverRevsDiff(Object.fromEntries(asked.map((p) => [p.id, [p.rev]]))) : {};
    const edited = part.filter((p) => p.rev !== '' && (diff[p.id]?.missing ?? []).includes(p.rev));
    const histories = new Map<string, string[]>();
    for (const p of edited) {
      const doc = await local.get(p.id, { rev: p.rev, revs: true });
      const revisions = doc['_revisions'] as { start?: number; ids?: string[] } | undefined;
      const start = revisions?.start ?? 0;
      histories.set(p.id, (revisions?.ids ?? []).map((hash, i) => `${start - i}-${hash}`));
    }
    const older = histories.size > 0 ? await serverRevsDiff(Object.fromEntries(histories)) : {};
    for (const p of part) {
      const history = histories.get(p.id);
      if (!history) { out.push(p); continue; }
      const missing = new Set(older[p.id]?.missing ?? []);
      out.push({ id: p.id, rev: history.find((rev) => !missing.has(rev)) ?? p.rev });
    }
  }
  return out;
}

/** What {@link removeGone} did. */
export interface GoneResult {
  readonly removedIds: string[];
  /** Ids whose revision the server never had: work still to push. */
  readonly unknownIds: string[];
  readonly quarantined: number;
}

/** Asks the gateway which of `held` the user may no longer have, quarantines unpushed work and removes them. */
export async function removeGone(
  local: LocalDatabase, remote: Remote, serverRevsDiff: ServerRevsDiff, held: readonly IdRev[], state: RemovalState, touched: Touched,
  events: PullEvents, signal?: AbortSignal,
): Promise<GoneResult> {
  const candidates = await knownToServer(local, serverRevsDiff, held);
  const removedIds: string[] = [];
  const unknownIds: string[] = [];
  let quarantined = 0;
  for (const part of batches(candidates, 1_000)) {
    const gone = await remote.gone(part, signal);
    unknownIds.push(...gone.unknown);
    // Keep what the server never had before removing anything.
    const kept = await unknownToServer(local, serverRevsDiff, gone.rows, state);
    await addToQuarantine(local, kept);
    quarantined += kept.length;
    for (const entry of kept) events.quarantined(entry);
    for (const row of gone.rows) {
      const how = await removeLocally(local, row.id, state, touched);
      if (how === 'absent') continue;
      removedIds.push(row.id);
      events.removed(row.id, row.reason, how);
    }
  }
  return { removedIds, unknownIds, quarantined };
}
