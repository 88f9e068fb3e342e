/**
 * The pull: ask the gateway for every `{id, rev}` the user may have, let the local database say which
 * revisions it lacks (`revsDiff`), download those with `_bulk_get` in batches, then ask which local
 * documents the server no longer gives this user and remove them. A diff has no checkpoint to get
 * wrong: an interrupted pull simply finds less to do next time, and no document is written twice.
 * A local revision the server never had is never lost with its document: it goes to the quarantine.
 */
import { batches } from '../protocol.js';
import type { IdRev, IdsResponse } from '../protocol.js';
import { askedRev, removeGone } from './gone.js';
import type { QuarantinedDoc } from './held.js';
import { SyncError, toSyncError } from './errors.js';
import type { LocalDatabase, LocalDoc } from './local.js';
import type { Remote } from './remote.js';
import { applyServerDocs, isRemovalTombstone, loadRemovalState, saveRemovalState } from './removal.js';
import type { RemovalState, Touched, Unwritten } from './removal.js';

/** What the pull reports as it goes. */
export interface PullEvents {
  progress(done: number, total: number): void;
  removed(id: string, reason: 'deleted' | 'not-visible', how: 'purged' | 'tombstone'): void;
  conflict(id: string, revs: readonly string[]): void;
  quarantined(entry: QuarantinedDoc): void;
  warning(message: string): void;
}

/** Which of these revisions the server lacks (its `_revs_diff`). */
export type ServerRevsDiff = (revs: Record<string, string[]>) => Promise<Record<string, { readonly missing?: readonly string[] }>>;

/** What one pull did. */
export interface PullResult {
  /** How the pull learnt what to fetch: the whole list (first sync, recovery) or the changes feed. */
  readonly via: 'list' | 'feed';
  /** Documents the user may have, by the server's list; entries read from the feed for a feed pull. */
  readonly listed: number;
  readonly downloaded: number;
  readonly removed: number;
  /** Revisions the server would not send (they changed or became invisible meanwhile). */
  readonly skipped: number;
  /** The server's update sequence when the list was made; the feed cursor reached for a feed pull. */
  readonly lastSeq: string;
  /** Every local revision the pull wrote, by id (empty string for a purge). */
  readonly touched: ReadonlyMap<string, ReadonlySet<string>>;
  /** Local documents the server has never had (unpushed, refused, or lost in a server restore). */
  readonly unknownOnServer: number;
  /** Their ids. */
  readonly unknownIds: readonly string[];
  /** Ids removed from the device. */
  readonly removedIds: readonly string[];
  /** Local revisions the server never had, moved to the quarantine with their removed documents. */
  readonly quarantined: number;
  /** Downloaded documents the local database refused to store (they are fetched again next time). */
  readonly unwritten: readonly Unwritten[];
}

/** Pull options. */
export interface PullOptions {
  readonly batchSize: number;
  /** Refuse before downloading anything when the user may see more than this. */
  readonly maxDocs?: number;
  readonly signal?: AbortSignal;
}

/** Each local document's winning revision, by id. */
async function localRevs(local: LocalDatabase): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const page = 5_000;
  let startkey: string | undefined;
  for (;;) {
    const { rows } = await local.allDocs({ limit: page + (startkey === undefined ? 0 : 1), ...(startkey === undefined ? {} : { startkey }) });
    const fresh = startkey === undefined ? rows : rows.slice(1);
    for (const row of fresh) if (!row.id.startsWith('_design/')) ids.set(row.id, row.value?.rev ?? '');
    if (fresh.length < page) return ids;
    startkey = rows[rows.length - 1]?.id;
  }
}

/** Listed ids the device holds as deleted, with the deletion's revision (a user's deletion or a removal). */
async function deletedHere(local: LocalDatabase, ids: readonly string[]): Promise<Map<string, string>> {
  const deleted = new Map<string, string>();
  if (ids.length === 0 || String((await local.info()).update_seq) === '0') return deleted;
  for (const part of batches(ids, 1_000)) {
    for (const row of (await local.allDocs({ keys: [...part] })).rows) if (row.value?.deleted) deleted.set(row.id, row.value.rev);
  }
  return deleted;
}

/** Writes one downloaded batch and reports the conflicts it gave documents the device held (`before`). */
export async function writeBatch(
  local: LocalDatabase, docs: readonly LocalDoc[], state: RemovalState, touched: Touched, events: PullEvents,
  before: ReadonlySet<string>, tombstones: ReadonlyMap<string, string>,
): Promise<Unwritten[]> {
  const ids = docs.map((d) => d._id);
  let unwritten: Unwritten[];
  try {
    unwritten = await applyServerDocs(local, docs, state, touched, tombstones);
  } catch (err) {
    throw toSyncError(err);
  }
  // Only a document that already existed here can have gained a conflict.
  const existing = [...new Set(ids.filter((id) => before.has(id)))];
  if (existing.length === 0) return unwritten;
  for (const row of (await local.allDocs({ keys: existing, include_docs: true, conflicts: true })).rows) {
    const conflicts = row.doc?.['_conflicts'];
    if (Array.isArray(conflicts) && conflicts.length > 0) events.conflict(row.id, conflicts as string[]);
  }
  return unwritten;
}

/** Asks the gateway for the pull list, refusing it when over the client's own limit. */
export async function pullList(remote: Remote, options: PullOptions): Promise<IdsResponse> {
  const list = await remote.ids(options.signal);
  if (options.maxDocs !== undefined && list.count > options.maxDocs) {
    throw new SyncError('too-many-docs', `this user may see ${list.count} documents, more than the limit of ${options.maxDocs}`, undefined, list.count);
  }
  return list;
}

/** What to download, each listed revision once, and which of them go on top of a removal tombstone. */
async function plan(local: LocalDatabase, list: IdsResponse, present: ReadonlySet<string>): Promise<{ wanted: IdRev[]; tombstones: Map<string, string> }> {
  const deleted = await deletedHere(local, list.rows.filter((row) => !present.has(row.id)).map((row) => row.id));
  const wanted: IdRev[] = list.rows.filter((row) => !present.has(row.id) && !deleted.has(row.id));
  const tombstones = new Map<string, string>();
  const toDiff = list.rows.filter((row) => present.has(row.id) || deleted.has(row.id));
  for (const part of batches(toDiff, 1_000)) {
    const diff = await local.revsDiff(Object.fromEntries(part.map((row) => [row.id, [row.rev]])));
    for (const row of part) {
      if (diff[row.id]?.missing?.length) { wanted.push(row); continue; }
      // The server's revision is known here under a removal tombstone (the device itself is the record):
      // on a re-grant it comes back on top of it. A user's own deletion stays, to be pushed.
      const deletion = deleted.get(row.id);
      if (deletion !== undefined && await isRemovalTombstone(local, row.id, deletion)) {
        tombstones.set(row.id, deletion);
        wanted.push(row);
      }
    }
  }
  // Conflicting leaves the device lacks come too, so the device whose revision won learns of the
  // conflict as well. Not beside a deletion here (the user's own, or a removal): that one stays as it is.
  const conflicted = list.rows.filter((row) => row.conflicts?.length && !deleted.has(row.id));
  for (const part of batches(conflicted, 1_000)) {
    const diff = await local.revsDiff(Object.fromEntries(part.map((row) => [row.id, [...(row.conflicts ?? [])]])));
    for (const row of part) for (const rev of diff[row.id]?.missing ?? []) wanted.push({ id: row.id, rev });
  }
  return { wanted, tombstones };
}

/**
 * Runs one pull from a list fetched with {@link pullList}. Throws a {@link SyncError}; what was written
 * before a failure stays written. `serverRevsDiff` tells which local revisions the server lacks, so
 * a removed document's unpushed revisions go to the quarantine instead of being lost.
 */
export async function pull(
  local: LocalDatabase, remote: Remote, serverRevsDiff: ServerRevsDiff, list: IdsResponse, options: PullOptions, events: PullEvents,
): Promise<PullResult> {
  if (list.warning) events.warning(list.warning);
  const state = await loadRemovalState(local);
  const touched: Touched = new Map();

  // What the device holds before the pull: only documents it had can gain a conflict or be gone.
  const localRev = await localRevs(local);
  const present = new Set(localRev.keys());
  const { wanted, tombstones } = await plan(local, list, present);
  let done = 0;
  let skipped = 0;
  const unwritten: Unwritten[] = [];
  events.progress(0, wanted.length);
  const parts = batches(wanted, options.batchSize);
  // One download in flight while the previous batch is written: the network and the disk overlap.
  let next = parts[0] ? remote.bulkGet(parts[0], options.signal) : undefined;
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i] ?? [];
    const current = next;
    if (!current) break;
    const following = parts[i + 1];
    next = following ? remote.bulkGet(following, options.signal) : undefined;
    // A failed prefetch is reported when its turn comes, never as an unhandled rejection.
    next?.catch(() => undefined);
    const { docs, failed } = await current;
    skipped += failed.length;
    if (docs.length > 0) unwritten.push(...await writeBatch(local, docs, state, touched, events, present, tombstones));
    done += part.length;
    events.progress(done, wanted.length);
  }

  const listed = new Set(list.rows.map((row) => row.id));
  // The gateway speaks only of revisions the device holds: a re-grant stand-in stands for the server's.
  const held = [...present].filter((id) => !listed.has(id))
    .map((id) => ({ id, rev: askedRev(state, id, localRev.get(id) ?? '') }));
  const { removedIds, unknownIds, quarantined } = await removeGone(local, remote, serverRevsDiff, held, state, touched, events, options.signal);
  await saveRemovalState(local, state);
  return {
    via: 'list', listed: list.rows.length, downloaded: done - skipped - unwritten.length, removed: removedIds.length, skipped, lastSeq: list.last_seq, touched,
    unknownOnServer: unknownIds.length, unknownIds, removedIds, quarantined, unwritten,
  };
}
