/**
 * Removing a document from the device when the server says it is deleted or no longer visible, and
 * bringing it back on a re-grant. Adapters with `purge` (PouchDB's `indexeddb`) forget the document
 * entirely. Others get a tombstone marked `purged: true` that is never pushed; a re-grant then writes
 * the server's version on top of it, and the client remembers that this local revision stands for the
 * server's so it neither pushes it nor lets it hide a newer server revision.
 */
import type { LocalDatabase, LocalDoc } from './local.js';

const STATE_ID = '_local/fieldsync-removals';

/** Ids removed by tombstone, and local revisions that stand for a server revision (mutable: one sync owns it). */
export interface RemovalState {
  /** id -> the tombstone's revision. */
  removed: Record<string, string>;
  /** id -> local revision written on a re-grant, and the server revision it stands for. */
  restored: Record<string, { readonly local: string; readonly server: string }>;
}

/** Reads the removal state (empty if none was saved). */
export async function loadRemovalState(local: LocalDatabase): Promise<RemovalState> {
  try {
    const doc = (await local.get(STATE_ID)) as LocalDoc & Partial<RemovalState>;
    return { removed: { ...doc.removed }, restored: { ...doc.restored } };
  } catch {
    return { removed: {}, restored: {} };
  }
}

/** Saves the state (a `_local` doc: never replicated). */
export async function saveRemovalState(local: LocalDatabase, state: RemovalState): Promise<void> {
  let rev: string | undefined;
  try {
    rev = (await local.get(STATE_ID))._rev;
  } catch {
    rev = undefined;
  }
  await local.put({ _id: STATE_ID, ...(rev ? { _rev: rev } : {}), removed: state.removed, restored: state.restored });
}

/**
 * Removes a document: purge when the adapter can, else a never-pushed tombstone. Returns how, and
 * records in `touched` the revision it left (empty for a purge) so the client can tell its own
 * writes from the user's.
 */
export async function removeLocally(
  local: LocalDatabase, id: string, state: RemovalState, touched: Map<string, string>,
): Promise<'purged' | 'tombstone' | 'absent'> {
  const leaves = (await local.get(id, { open_revs: 'all' })).flatMap((leaf) => (leaf.ok?._rev ? [leaf.ok] : []));
  if (leaves.length === 0) return 'absent';
  if (typeof local.purge === 'function') {
    try {
      for (const leaf of leaves) if (leaf._rev) await local.purge(id, leaf._rev);
      delete state.removed[id];
      delete state.restored[id];
      touched.set(id, '');
      return 'purged';
    } catch {
      // This adapter has no purge: fall back to a tombstone below.
    }
  }
  const [row] = (await local.allDocs({ keys: [id] })).rows;
  if (!row?.value || row.value.deleted) return 'absent';
  const { rev } = await local.put({ _id: id, _rev: row.value.rev, _deleted: true, purged: true });
  touched.set(id, rev);
  state.removed[id] = rev;
  delete state.restored[id];
  return 'tombstone';
}

/** Strips what `put` must not receive from a document fetched with `revs=true`. */
function forPut(doc: LocalDoc): LocalDoc {
  const { _revisions: _ignored, ...rest } = doc;
  return rest;
}

/**
 * Writes server documents locally: plain ones as replicated revisions; ones the device removed by
 * tombstone on top of the tombstone; ones standing in for an older server revision after retiring
 * the stand-in, so the server's newer revision wins. Each revision written is recorded in `touched`.
 */
export async function applyServerDocs(
  local: LocalDatabase, docs: readonly LocalDoc[], state: RemovalState, touched: Map<string, string>,
): Promise<void> {
  const plain: LocalDoc[] = [];
  for (const doc of docs) {
    const marker = state.removed[doc._id];
    const standIn = state.restored[doc._id];
    if (marker && doc._rev) {
      const { rev } = await local.put({ ...forPut(doc), _rev: marker });
      touched.set(doc._id, rev);
      delete state.removed[doc._id];
      state.restored[doc._id] = { local: rev, server: doc._rev };
    } else if (standIn && standIn.server !== doc._rev) {
      const [row] = (await local.allDocs({ keys: [doc._id] })).rows;
      if (row?.value?.rev === standIn.local) await local.put({ _id: doc._id, _rev: standIn.local, _deleted: true, purged: true });
      delete state.restored[doc._id];
      plain.push(doc);
    } else {
      plain.push(doc);
    }
  }
  if (plain.length > 0) await local.bulkDocs(plain, { new_edits: false });
  for (const doc of plain) if (doc._rev) touched.set(doc._id, doc._rev);
}
