/**
 * The incremental pull: read the user's `_changes` feed from the stored cursor, page by page, until a
 * page is empty or says nothing is pending. For each page: the device's own `revsDiff` tells which
 * listed leaves it lacks (every leaf, so a conflict made on another device arrives here too),
 * `_bulk_get` fetches them, documents that were deleted or left the user's view go through the same
 * `gone` and removal path as the list-and-diff pull (purge or tombstone, unpushed work to the
 * quarantine), and only then is the page's cursor stored. A sync killed anywhere resumes from the last
 * stored cursor: what it re-reads is already here and is not written twice. A cursor the gateway
 * refuses (400) or an answer flagged `fieldsync_verify` ends the feed pull: the caller lists and diffs
 * instead.
 */
import { batches } from '../protocol.js';
import type { FeedEntry, FeedResponse, IdRev } from '../protocol.js';
import { SyncError } from './errors.js';
import { loadInflight, markInflight, saveCursor } from './feed-cursor.js';
import { askedRev, removeGone } from './gone.js';
import type { LocalDatabase, LocalDoc } from './local.js';
import { writeBatch } from './pull.js';
import type { PullEvents, PullOptions, PullResult, ServerRevsDiff } from './pull.js';
import type { Remote } from './remote.js';
import { isRemovalTombstone, loadRemovalState, saveRemovalState } from './removal.js';
import type { RemovalState, Touched, Unwritten } from './removal.js';

/** How a feed pull ended: caught up, or the feed cannot be trusted from this cursor. */
export type FeedOutcome =
  | { readonly kind: 'done'; readonly result: PullResult }
  /** `refused`: the gateway answered 400 to the cursor; `verify`: it could not be sure every removal is listed. */
  | { readonly kind: 'recover'; readonly reason: 'refused' | 'verify'; readonly partial: PullResult };

/** What one page asks of the device: leaves to download, documents to ask `gone` about. */
interface PagePlan {
  readonly wanted: IdRev[];
  readonly tombstones: Map<string, string>;
  readonly held: IdRev[];
  /** Ids the device held live before the page (only those can gain a conflict). */
  readonly present: Set<string>;
}

/** The latest entry of each document in a page (a later entry replaces an earlier one of the same id). */
function latestById(results: readonly FeedEntry[]): FeedEntry[] {
  const byId = new Map<string, FeedEntry>();
  for (const entry of results) {
    byId.delete(entry.id);
    byId.set(entry.id, entry);
  }
  return [...byId.values()];
}

/** CouchDB's winner among leaves: live before deleted, then the longer history, then the greater revision. */
function winnerOf(docs: readonly LocalDoc[]): LocalDoc | undefined {
  const rank = (doc: LocalDoc): [number, number, string] => {
    const rev = doc._rev ?? '';
    return [doc._deleted ? 0 : 1, Number.parseInt(rev, 10) || 0, rev];
  };
  return [...docs].sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return y[0] - x[0] || y[1] - x[1] || (y[2] > x[2] ? 1 : y[2] < x[2] ? -1 : 0);
  })[0];
}

async function planPage(local: LocalDatabase, entries: readonly FeedEntry[], state: RemovalState): Promise<PagePlan> {
  const rows = (await local.allDocs({ keys: entries.map((e) => e.id) })).rows;
  const live = new Map<string, string>();
  const deleted = new Map<string, string>();
  for (const row of rows) {
    if (!row.value || row.error) continue;
    (row.value.deleted ? deleted : live).set(row.id, row.value.rev);
  }
  const plan: PagePlan = { wanted: [], tombstones: new Map(), held: [], present: new Set(live.keys()) };
  const toDiff: Record<string, string[]> = {};
  for (const entry of entries) {
    const localRev = live.get(entry.id);
    if (entry.removed || entry.deleted) {
      if (localRev !== undefined) plan.held.push({ id: entry.id, rev: askedRev(state, entry.id, localRev) });
      continue;
    }
    const revs = entry.changes.map((c) => c.rev).filter((rev) => typeof rev === 'string' && rev.length > 0);
    if (localRev === undefined && !deleted.has(entry.id)) plan.wanted.push(...revs.map((rev) => ({ id: entry.id, rev })));
    else if (revs.length > 0) toDiff[entry.id] = revs;
  }
  const diff = Object.keys(toDiff).length > 0 ? await local.revsDiff(toDiff) : {};
  for (const [id, revs] of Object.entries(toDiff)) {
    const deletion = deleted.get(id);
    // Held under a removal tombstone: on a re-grant the server's version comes back on top of it.
    if (deletion !== undefined && await isRemovalTombstone(local, id, deletion)) {
      plan.tombstones.set(id, deletion);
      plan.wanted.push(...revs.map((rev) => ({ id, rev })));
      continue;
    }
    plan.wanted.push(...(diff[id]?.missing ?? []).map((rev) => ({ id, rev })));
  }
  return plan;
}

/** Only the winner of a re-granted document goes on its tombstone (one revision can sit on it). */
function forTombstones(docs: readonly LocalDoc[], tombstones: ReadonlyMap<string, string>): LocalDoc[] {
  if (tombstones.size === 0) return [...docs];
  const winners = new Map<string, LocalDoc | undefined>();
  for (const id of tombstones.keys()) winners.set(id, winnerOf(docs.filter((d) => d._id === id)));
  return docs.filter((doc) => !tombstones.has(doc._id) || winners.get(doc._id) === doc);
}

/** Mutable totals of one feed pull. */
interface Totals {
  listed: number;
  done: number;
  skipped: number;
  quarantined: number;
  readonly removedIds: string[];
  readonly unknownIds: string[];
  readonly unwritten: Unwritten[];
}

function resultOf(totals: Totals, cursor: string, touched: Touched): PullResult {
  return {
    via: 'feed', listed: totals.listed, downloaded: totals.done - totals.skipped - totals.unwritten.length, removed: totals.removedIds.length,
    skipped: totals.skipped, lastSeq: cursor, touched, unknownOnServer: totals.unknownIds.length, unknownIds: totals.unknownIds,
    removedIds: totals.removedIds, quarantined: totals.quarantined, unwritten: totals.unwritten,
  };
}

/** One page of the feed, or why the feed cannot be used from `cursor`. */
async function readPage(remote: Remote, cursor: string, options: PullOptions): Promise<FeedResponse | 'refused'> {
  try {
    return await remote.feed(cursor, { limit: options.batchSize }, options.signal);
  } catch (err) {
    if (err instanceof SyncError && err.status === 400) return 'refused';
    throw err;
  }
}

/** What the server says now of each of these documents: its visible leaves, or a removal when it is not visible. */
async function currentState(remote: Remote, ids: readonly string[], options: PullOptions): Promise<FeedEntry[]> {
  const visible = new Map<string, FeedEntry>();
  for (const part of batches(ids, 1_000)) {
    let since = '0';
    for (;;) {
      const page = await remote.feedOf(part, since, options.batchSize, options.signal);
      for (const entry of page.results) if (!entry.removed && !entry.deleted) visible.set(entry.id, entry);
      if (page.results.length === 0) break;
      since = page.last_seq;
    }
  }
  return ids.map((id) => visible.get(id) ?? { seq: '', id, changes: [], removed: true });
}

/**
 * Pulls what changed for this user after `cursor`, storing the cursor under `key` after each page's
 * documents are written. Throws a {@link SyncError}; a page the device could not store is left
 * unconfirmed, so it is read again next time, and its documents are asked about first.
 */
export async function feedPull(
  local: LocalDatabase, remote: Remote, serverRevsDiff: ServerRevsDiff, start: { readonly cursor: string; readonly key: string },
  options: PullOptions, events: PullEvents,
): Promise<FeedOutcome> {
  const state = await loadRemovalState(local);
  const touched: Touched = new Map();
  const totals: Totals = { listed: 0, done: 0, skipped: 0, quarantined: 0, removedIds: [], unknownIds: [], unwritten: [] };
  let cursor = start.cursor;

  /** Downloads what the entries name and the device lacks, then removes what they say left; false when some were not stored. */
  const apply = async (entries: readonly FeedEntry[], pending: number): Promise<boolean> => {
    const plan = await planPage(local, latestById(entries), state);
    let left = plan.wanted.length;
    events.progress(totals.done, totals.done + left + pending);
    for (const part of batches(plan.wanted, options.batchSize)) {
      const { docs, failed } = await remote.bulkGet(part, options.signal);
      totals.skipped += failed.length;
      const toWrite = forTombstones(docs, plan.tombstones);
      if (toWrite.length > 0) totals.unwritten.push(...await writeBatch(local, toWrite, state, touched, events, plan.present, plan.tombstones));
      totals.done += part.length;
      left -= part.length;
      events.progress(totals.done, totals.done + left + pending);
    }
    if (totals.unwritten.length > 0) return false;
    const gone = await removeGone(local, remote, serverRevsDiff, plan.held, state, touched, events, options.signal);
    totals.removedIds.push(...gone.removedIds);
    totals.unknownIds.push(...gone.unknownIds);
    totals.quarantined += gone.quarantined;
    await saveRemovalState(local, state);
    return true;
  };

  // A page cut short: what the server says of its documents now, whatever the page would say if read again.
  const inflight = await loadInflight(local, start.key);
  if (inflight.length > 0) {
    if (!await apply(await currentState(remote, inflight, options), 0)) return { kind: 'done', result: resultOf(totals, cursor, touched) };
    await saveCursor(local, start.key, cursor);
  }
  for (;;) {
    const page = await readPage(remote, cursor, options);
    if (page === 'refused' || page.fieldsync_verify) {
      return { kind: 'recover', reason: page === 'refused' ? 'refused' : 'verify', partial: resultOf(totals, cursor, touched) };
    }
    if (page.results.length === 0) {
      // The cursor may move past changes of documents this user does not see.
      if (page.last_seq !== cursor) await saveCursor(local, start.key, page.last_seq);
      cursor = page.last_seq;
      break;
    }
    totals.listed += page.results.length;
    await markInflight(local, start.key, page.results.map((entry) => entry.id));
    if (!await apply(page.results, Math.max(0, page.pending ?? 0))) break;
    // Every document of the page is written (or removed): only now may a resumed sync start after it.
    await saveCursor(local, start.key, page.last_seq);
    cursor = page.last_seq;
    // The gateway told nothing follows: reading on would only answer an empty page with this cursor.
    if (page.pending === 0) break;
  }
  await saveRemovalState(local, state);
  events.progress(totals.done, totals.done);
  return { kind: 'done', result: resultOf(totals, cursor, touched) };
}
