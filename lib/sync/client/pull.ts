/**
 * The pull: ask the gateway for every `{id, rev}` the user may have, let the local database say which
 * revisions it lacks (`revsDiff`), download those with `_bulk_get` in batches, then ask which local
 * documents the server no longer gives this user and remove them. A diff has no checkpoint to get
 * wrong: an interrupted pull simply finds less to do next time, and no document is written twice.
 */
import { batches } from '../protocol.js';
import type { IdRev, IdsResponse } from '../protocol.js';
import { SyncError, toSyncError } from './errors.js';
import type { LocalDatabase, LocalDoc } from './local.js';
import type { Remote } from './remote.js';
import { applyServerDocs, loadRemovalState, removeLocally, saveRemovalState } from './removal.js';
import type { RemovalState } from './removal.js';

/** What the pull reports as it goes. */
export interface PullEvents {
  progress(done: number, total: number): void;
  removed(id: string, reason: 'deleted' | 'not-visible', how: 'purged' | 'tombstone'): void;
  conflict(id: string, revs: readonly string[]): void;
  warning(message: string): void;
}

/** What one pull did. */
export interface PullResult {
  /** Documents the user may have, by the server's list. */
  readonly listed: number;
  readonly downloaded: number;
  readonly removed: number;
  /** Revisions the server would not send (they changed or became invisible meanwhile). */
  readonly skipped: number;
  /** The server's update sequence when the list was made. */
  readonly lastSeq: string;
  /** Every local revision the pull wrote, by id (empty string for a purge). */
  readonly touched: ReadonlyMap<string, string>;
  /** Local documents the server has never had (unpushed, refused, or lost in a server restore). */
  readonly unknownOnServer: number;
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

async function writeBatch(
  local: LocalDatabase, docs: readonly LocalDoc[], state: RemovalState, touched: Map<string, string>, events: PullEvents,
  before: ReadonlySet<string>,
): Promise<void> {
  const ids = docs.map((d) => d._id);
  try {
    await applyServerDocs(local, docs, state, touched);
  } catch (err) {
    throw toSyncError(err);
  }
  // Only a document that already existed here can have gained a conflict.
  const existing = ids.filter((id) => before.has(id));
  if (existing.length === 0) return;
  for (const row of (await local.allDocs({ keys: existing, include_docs: true, conflicts: true })).rows) {
    const conflicts = row.doc?.['_conflicts'];
    if (Array.isArray(conflicts) && conflicts.length > 0) events.conflict(row.id, conflicts as string[]);
  }
}

/** Asks the gateway for the pull list, refusing it when over the client's own limit. */
export async function pullList(remote: Remote, options: PullOptions): Promise<IdsResponse> {
  const list = await remote.ids(options.signal);
  if (options.maxDocs !== undefined && list.count > options.maxDocs) {
    throw new SyncError('too-many-docs', `this user may see ${list.count} documents, more than the limit of ${options.maxDocs}`, undefined, list.count);
  }
  return list;
}

/**
 * Runs one pull from a list fetched with {@link pullList}. Throws a {@link SyncError}; what was written
 * before a failure stays written.
 */
export async function pull(local: LocalDatabase, remote: Remote, list: IdsResponse, options: PullOptions, events: PullEvents): Promise<PullResult> {
  if (list.warning) events.warning(list.warning);
  const state = await loadRemovalState(local);
  const touched = new Map<string, string>();

  // What the device holds before the pull: documents it lacks entirely need no revsDiff, and only
  // documents it had can gain a conflict or be gone.
  const held = await localRevs(local);
  const present = new Set(held.keys());
  const wanted: IdRev[] = list.rows.filter((row) => !present.has(row.id));
  const toDiff = list.rows.filter((row) => present.has(row.id) || state.removed[row.id] !== undefined);
  for (const part of batches(toDiff, 1_000)) {
    const diff = await local.revsDiff(Object.fromEntries(part.map((row) => [row.id, [row.rev]])));
    for (const row of part) {
      // A tombstoned doc's server revision is known locally, yet it must come back on a re-grant.
      if (diff[row.id]?.missing?.length || state.removed[row.id]) wanted.push(row);
    }
  }
  let done = 0;
  let skipped = 0;
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
    if (docs.length > 0) await writeBatch(local, docs, state, touched, events, present);
    done += part.length;
    events.progress(done, wanted.length);
  }

  const listed = new Set(list.rows.map((row) => row.id));
  // The gateway speaks only of revisions the device holds: a re-grant stand-in stands for the server's.
  const candidates = [...present].filter((id) => !listed.has(id))
    .map((id) => ({ id, rev: state.restored[id]?.local === held.get(id) ? state.restored[id]?.server ?? '' : held.get(id) ?? '' }));
  let removed = 0;
  let unknownOnServer = 0;
  for (const part of batches(candidates, 1_000)) {
    const gone = await remote.gone(part, options.signal);
    unknownOnServer += gone.unknown.length;
    for (const row of gone.rows) {
      const how = await removeLocally(local, row.id, state, touched);
      if (how === 'absent') continue;
      removed += 1;
      events.removed(row.id, row.reason, how);
    }
  }
  await saveRemovalState(local, state);
  return { listed: list.rows.length, downloaded: done - skipped, removed, skipped, lastSeq: list.last_seq, touched, unknownOnServer };
}
