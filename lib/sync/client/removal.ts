/**
 * Removing a document from the device when the server says it is deleted or no longer visible, and
 * bringing it back on a re-grant. Adapters with `purge` (PouchDB's `indexeddb`) forget the document
 * entirely. Others get a tombstone marked `purged: true` that is never pushed; the tombstone is its own
 * record (no bookkeeping to lose): a re-grant finds it as the document's winning revision and writes
 * the server's version on top of it. That local revision stands for the server's, so the client neither
 * pushes it nor lets it hide a newer server revision; which revision stands for which is saved before
 * the write and rebuilt from the revision tree when a sync was cut short.
 */
import { isRemovalMarker } from '../protocol.js';
import type { LocalDatabase, LocalDoc } from './local.js';
import { readLocalDoc, writeLocalDoc } from './local-doc.js';

const STATE_ID = '_local/fieldsync-removals';

/** Every local revision a pull wrote, by id: how the client tells its own writes from the user's. */
export type Touched = Map<string, Set<string>>;

/** Records that the pull wrote `rev` of `id` (empty string for a purge). */
export function touch(touched: Touched, id: string, rev: string): void {
  const revs = touched.get(id) ?? new Set<string>();
  revs.add(rev);
  touched.set(id, revs);
}

/** Local revisions that stand for a server revision (mutable: one sync owns it). */
export interface RemovalState {
  /** id -> local revision written on a re-grant, and the server revision it stands for. */
  restored: Record<string, { readonly local: string; readonly server: string }>;
  /** id -> server revision of a stand-in being written (saved before the write). */
  restoring: Record<string, string>;
}

/** A stand-in cut short by a crash: the winning revision is a child of a removal tombstone. */
async function recoverStandIn(local: LocalDatabase, id: string, server: string): Promise<{ local: string; server: string } | undefined> {
  try {
    const doc = await local.get(id, { revs: true });
    const history = doc['_revisions'] as { start: number; ids: string[] } | undefined;
    if (!doc._rev || !history || history.ids.length < 2) return undefined;
    const parent = await local.get(id, { rev: `${history.start - 1}-${history.ids[1] ?? ''}` });
    return isRemovalMarker(parent) ? { local: doc._rev, server } : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the state (empty if none was saved), finishing the record of stand-ins a crash cut short. */
export async function loadRemovalState(local: LocalDatabase): Promise<RemovalState> {
  const doc = await readLocalDoc(local, STATE_ID);
  const state: RemovalState = { restored: { ...(doc?.['restored'] as RemovalState['restored'] | undefined) }, restoring: {} };
  for (const [id, server] of Object.entries((doc?.['restoring'] ?? {}) as RemovalState['restoring'])) {
    const recovered = await recoverStandIn(local, id, server);
    if (recovered) state.restored[id] = recovered;
  }
  return state;
}

/** Saves the state (a `_local` doc: never replicated). */
export async function saveRemovalState(local: LocalDatabase, state: RemovalState): Promise<void> {
  await writeLocalDoc(local, STATE_ID, { restored: state.restored, restoring: state.restoring });
}

/** The live leaf revisions of a local document. */
export async function liveLeaves(local: LocalDatabase, id: string): Promise<string[]> {
  return (await local.get(id, { open_revs: 'all' })).flatMap((leaf) => (leaf.ok?._rev && !leaf.ok._deleted ? [leaf.ok._rev] : []));
}

/**
 * Removes a document: purge when the adapter can, else a never-pushed tombstone on every live leaf.
 * Returns how, and records in `touched` the revisions it left.
 */
export async function removeLocally(
  local: LocalDatabase, id: string, state: RemovalState, touched: Touched,
): Promise<'purged' | 'tombstone' | 'absent'> {
  const leaves = await liveLeaves(local, id);
  if (leaves.length === 0) return 'absent';
  if (typeof local.purge === 'function') {
    try {
      for (const leaf of leaves) await local.purge(id, leaf);
      delete state.restored[id];
      touch(touched, id, '');
      return 'purged';
    } catch {
      // This adapter has no purge: fall back to tombstones below.
    }
  }
  for (const leaf of leaves) {
    const { rev } = await local.put({ _id: id, _rev: leaf, _deleted: true, purged: true });
    touch(touched, id, rev);
  }
  delete state.restored[id];
  return 'tombstone';
}

/** True when the local revision `rev` of `id` is a removal tombstone. */
export async function isRemovalTombstone(local: LocalDatabase, id: string, rev: string): Promise<boolean> {
  try {
    return isRemovalMarker(await local.get(id, { rev }));
  } catch {
    return false;
  }
}

/** Strips what `put` must not receive from a document fetched with `revs=true`. */
function forPut(doc: LocalDoc): LocalDoc {
  const { _revisions: _ignored, ...rest } = doc;
  return rest;
}

/** A server document the device could not store, with the local database's reason. */
export interface Unwritten {
  readonly id: string;
  readonly reason: string;
  readonly error: unknown;
}

/**
 * Writes server documents locally: plain ones as replicated revisions; ones whose server revision the
 * device already holds under a removal tombstone (`tombstones`: id -> tombstone revision) on top of the
 * tombstone; ones standing in for an older server revision after retiring the stand-in, so the server's
 * newer revision wins. Each revision written is recorded in `touched`; documents the local database
 * refused are returned, never silently dropped.
 */
export async function applyServerDocs(
  local: LocalDatabase, docs: readonly LocalDoc[], state: RemovalState, touched: Touched, tombstones: ReadonlyMap<string, string>,
): Promise<Unwritten[]> {
  const plain: LocalDoc[] = [];
  const onTombstone = docs.filter((doc) => doc._rev && tombstones.has(doc._id));
  if (onTombstone.length > 0) {
    // Which revision stands for which is saved before the writes, so a crash in between is recoverable.
    for (const doc of onTombstone) state.restoring[doc._id] = doc._rev ?? '';
    await saveRemovalState(local, state);
  }
  for (const doc of docs) {
    const tombstone = tombstones.get(doc._id);
    const standIn = state.restored[doc._id];
    if (tombstone && doc._rev) {
      const { rev } = await local.put({ ...forPut(doc), _rev: tombstone });
      touch(touched, doc._id, rev);
      state.restored[doc._id] = { local: rev, server: doc._rev };
      delete state.restoring[doc._id];
    } else if (standIn && standIn.server !== doc._rev) {
      const [row] = (await local.allDocs({ keys: [doc._id] })).rows;
      if (row?.value?.rev === standIn.local) {
        const { rev } = await local.put({ _id: doc._id, _rev: standIn.local, _deleted: true, purged: true });
        touch(touched, doc._id, rev);
      }
      delete state.restored[doc._id];
      plain.push(doc);
    } else {
      plain.push(doc);
    }
  }
  if (onTombstone.length > 0) await saveRemovalState(local, state);
  if (plain.length === 0) return [];
  const results = (await local.bulkDocs(plain, { new_edits: false })) as Array<{ id?: unknown; error?: unknown; reason?: unknown; message?: unknown }>;
  const refused = new Map<string, Unwritten>();
  for (const result of results) {
    if (!result || typeof result !== 'object' || !result.error || typeof result.id !== 'string') continue;
    const reason = typeof result.reason === 'string' ? result.reason : typeof result.message === 'string' ? result.message : typeof result.error === 'string' ? result.error : 'refused';
    refused.set(result.id, { id: result.id, reason, error: result });
  }
  for (const doc of plain) if (doc._rev && !refused.has(doc._id)) touch(touched, doc._id, doc._rev);
  return [...refused.values()];
}
