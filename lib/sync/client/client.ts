/**
 * The sync client: push then pull, once or live, over any PouchDB. A cycle ends `up-to-date` only when
 * nothing was written locally while it ran and the pull found nothing left to fetch; otherwise it runs
 * again. Live mode waits for a local write or a server change (long poll), and after a failure retries
 * with back-off, so a device that was offline for hours resumes by itself.
 */
import type { RevisionDigest } from '../digest.js';
import { backOffDelay, DEFAULT_BACK_OFF } from '../protocol.js';
import type { BackOff, IdsResponse } from '../protocol.js';
import { deviceDigest } from './device-digest.js';
import { emitter } from './emitter.js';
import { SyncError, toSyncError } from './errors.js';
import { feedKey, loadCursor, saveCursor } from './feed-cursor.js';
import { feedPull } from './feed-pull.js';
import { watchLocal } from './local.js';
import type { LocalDatabase } from './local.js';
import { loadDenied, loadQuarantine, releaseQuarantined, saveDenied } from './held.js';
import type { DeniedDoc, QuarantinedDoc } from './held.js';
import { pull, pullList } from './pull.js';
import type { PullEvents, PullOptions, PullResult, ServerRevsDiff } from './pull.js';
import { push, pushFilter, pushTarget } from './push.js';
import type { Denied, PushFrom, PushResult } from './push.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, remote as makeRemote } from './remote.js';
import type { RemoteOptions } from './remote.js';
import { loadRemovalState } from './removal.js';
import { checkpointLag, loadSynced, saveSynced, syncedSeq } from './synced.js';
import type { Synced } from './synced.js';
import { unpushedSince } from './unpushed.js';

/** What a UI shows. */
export type SyncState = 'idle' | 'syncing' | 'up-to-date' | 'offline' | 'error';

/** Events of the sync client. */
export interface SyncEvents {
  readonly [event: string]: unknown;
  state: SyncState;
  /** Monotone within a pull, ending at `done === total`. */
  progress: { readonly phase: 'pull'; readonly done: number; readonly total: number };
  denied: Denied;
  removed: { readonly id: string; readonly reason: 'deleted' | 'not-visible'; readonly how: 'purged' | 'tombstone' };
  conflict: { readonly id: string; readonly revs: readonly string[] };
  /**
   * A local revision the server never had, taken out of a document the device had to remove (revoked
   * or deleted on the server), with its content; {@link SyncClient.quarantine} lists them all.
   */
  quarantined: QuarantinedDoc;
  /** After every completed sync: refused documents still pending (retried each sync) and quarantined revisions. */
  held: { readonly denied: number; readonly quarantined: number };
  warning: string;
  error: SyncError;
  /**
   * Once, on the first sync in a browser: whether the browser agreed to keep this site's storage
   * (`navigator.storage.persist()`); without it a full device may evict the database without a word.
   */
  storage: { readonly persisted: boolean };
}

/** Options of {@link createSyncClient}. */
export interface SyncClientOptions extends RemoteOptions {
  /** The device's database. */
  readonly local: LocalDatabase;
  /** Documents per `_bulk_get` and per push batch. Default 500. */
  readonly batchSize?: number;
  /** Refuse a pull, before any download, when the user may see more documents than this. */
  readonly maxDocs?: number;
  /** Live sync's retry delays. Default 1 s doubling to 25 s, ±20 %: a retry at most 30 s after a failure. */
  readonly backOff?: BackOff;
  /** Longest server wait in live mode. Default 25 s. */
  readonly liveWaitMs?: number;
  /**
   * Longest a call on the local database may take (a call in flight when the database is closed
   * never settles in PouchDB); past it the sync fails with kind `local`. Default 60 s.
   */
  readonly localTimeoutMs?: number;
  /** Source of randomness for back-off jitter. Default `Math.random`. */
  readonly random?: () => number;
}

/** What one {@link SyncClient.sync} did: written, denied, downloaded and removed summed over its cycles. */
export interface SyncResult {
  readonly push: PushResult;
  readonly pull: PullResult;
  /** Cycles run until nothing was pending (at most 3). */
  readonly cycles: number;
  readonly state: SyncState;
  /** Refused documents still pending (offered again at every sync) and quarantined revisions. */
  readonly held: { readonly denied: number; readonly quarantined: number };
}

/** What {@link SyncClient.verify} found. */
export interface VerifyResult {
  /** True when the device held exactly the revisions the server's list has: provably up to date. */
  readonly equal: boolean;
  /** The gateway's digest of what the user may have. */
  readonly server: RevisionDigest;
  /** The same digest over what the device holds. */
  readonly device: RevisionDigest;
  /** On a mismatch: the list-and-diff sync that repaired it, and whether the digests agree after it. */
  readonly repair?: { readonly sync: SyncResult; readonly equal: boolean };
}

/** A sync client for one local database and one gateway database. */
export interface SyncClient {
  readonly state: SyncState;
  on<K extends keyof SyncEvents & string>(event: K, listener: (payload: SyncEvents[K]) => void): () => void;
  /**
   * Push then pull until up to date (at most 3 cycles). The first sync lists and diffs; later ones read
   * the user's changes feed from the cursor the device stored. Throws a {@link SyncError}.
   */
  sync(): Promise<SyncResult>;
  /**
   * Compares the gateway's digest of what the user may have with the device's own (two small
   * requests, no list). On a mismatch a list-and-diff sync repairs the device, and the digests are
   * compared again. An edit not yet pushed counts as a difference (the repair pushes it). Throws a
   * {@link SyncError}.
   */
  verify(): Promise<VerifyResult>;
  /**
   * Starts live sync; failures are emitted as `error` events and retried with back-off (at most 30 s
   * by default; a local write retries at once). A closed local database ends it after its `local` error.
   */
  start(): void;
  /** Stops live sync and waits for the running cycle to end. */
  stop(): Promise<void>;
  /** Local documents the gateway refused, with why; each sync offers them again until accepted. */
  denied(): Promise<readonly DeniedDoc[]>;
  /** Local revisions the server never had whose documents were removed from the device, with their content. */
  quarantine(): Promise<readonly QuarantinedDoc[]>;
  /** Forgets one quarantined revision, once the app has saved or re-applied it. */
  releaseQuarantined(id: string, rev: string): Promise<void>;
}

const NOTHING_PUSHED: PushResult = { written: 0, denied: [], batchSize: 0 };

/** Downloads the local database refused to store: the sync fails naming them (they are fetched again next time). */
function unwrittenError(unwritten: PullResult['unwritten']): SyncError {
  const [first] = unwritten;
  const kind = toSyncError(first?.error).kind;
  const names = unwritten.slice(0, 5).map((u) => `${u.id} (${u.reason})`).join(', ');
  return new SyncError(kind === 'offline' ? 'server' : kind, `the device did not store ${unwritten.length} downloaded document(s): ${names}`);
}

/** Totals over the cycles of one sync; the list figures are the last cycle's. */
function addCycles(a: { push: PushResult; pull: PullResult }, b: { push: PushResult; pull: PullResult }): { push: PushResult; pull: PullResult } {
  return {
    push: { written: a.push.written + b.push.written, denied: [...a.push.denied, ...b.push.denied], batchSize: b.push.batchSize || a.push.batchSize },
    pull: {
      ...b.pull, downloaded: a.pull.downloaded + b.pull.downloaded, removed: a.pull.removed + b.pull.removed, skipped: b.pull.skipped,
      quarantined: a.pull.quarantined + b.pull.quarantined, removedIds: [...a.pull.removedIds, ...b.pull.removedIds],
    },
  };
}

/** A feed pull cut short for a list-and-diff, and that list-and-diff, as one pull. */
function mergePulls(feed: PullResult, list: PullResult): PullResult {
  const touched = new Map<string, Set<string>>();
  for (const part of [feed.touched, list.touched]) for (const [id, revs] of part) touched.set(id, new Set([...(touched.get(id) ?? []), ...revs]));
  return {
    ...list, downloaded: feed.downloaded + list.downloaded, removed: feed.removed + list.removed, touched,
    unknownOnServer: feed.unknownOnServer + list.unknownOnServer, unknownIds: [...feed.unknownIds, ...list.unknownIds],
    removedIds: [...feed.removedIds, ...list.removedIds], quarantined: feed.quarantined + list.quarantined,
  };
}

type PouchConstructor = new (name: string, options: Record<string, unknown>) => unknown;

/** Default of {@link SyncClientOptions.localTimeoutMs}. */
const DEFAULT_LOCAL_TIMEOUT_MS = 60_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/** The local sequence now, or undefined when the database cannot say (closed, failing). */
async function currentSeq(local: LocalDatabase): Promise<number | string | undefined> {
  try {
    return (await local.info()).update_seq;
  } catch {
    return undefined;
  }
}

/**
 * Creates a sync client. The gateway URL names one database, e.g. `https://host/fieldsync/medic`.
 * @throws SyncError of kind `invalid-url` when the URL cannot be a gateway URL.
 */
export function createSyncClient(options: SyncClientOptions): SyncClient {
  const localMs = options.localTimeoutMs ?? DEFAULT_LOCAL_TIMEOUT_MS;
  const requestMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // First, so a malformed URL throws before anything is watched.
  const remote = makeRemote(options);
  // Every call sync makes on the device's database settles, so no cycle can hang on it.
  const watched = watchLocal(options.local, { callMs: localMs, idleMs: 2 * (localMs + requestMs) });
  const local = watched.db;
  const events = emitter<SyncEvents>();
  const batchSize = options.batchSize ?? 500;
  // The push target is a PouchDB HTTP database of the app's own PouchDB build, on the gateway.
  const Pouch = (options.local as unknown as { constructor: PouchConstructor }).constructor;
  const target = pushTarget(Pouch, remote.url, remote.fetch);
  let state: SyncState = 'idle';
  let live: { controller: AbortController; done: Promise<void> } | undefined;
  let lastSeq = 'now';
  const feed = feedKey(remote.url, options.auth?.username);
  const server = target.db as { revsDiff: ServerRevsDiff };
  const serverRevsDiff: ServerRevsDiff = (revs) => server.revsDiff(revs);
  const pullEvents: PullEvents = {
    progress: (done, total) => events.emit('progress', { phase: 'pull', done, total }),
    removed: (id, reason, how) => events.emit('removed', { id, reason, how }),
    conflict: (id, revs) => events.emit('conflict', { id, revs }),
    quarantined: (entry) => events.emit('quarantined', entry),
    warning: (message) => events.emit('warning', message),
  };

  const setState = (next: SyncState): void => {
    if (next === state) return;
    state = next;
    events.emit('state', next);
  };

  /**
   * Pushes from the checkpoint (or `from`), collecting every refusal of this cycle as it comes. What was
   * refused before (held, at the same revision) or earlier in this cycle is not sent again here.
   */
  const pushOnce = async (refused: Denied[], held: readonly DeniedDoc[], from: PushFrom = {}): Promise<PushResult> => {
    const skip = new Map<string, string | undefined>(held.map((entry) => [entry.id, entry.rev]));
    for (const denied of refused) skip.set(denied.id, undefined);
    return push(local, target, await loadRemovalState(local), batchSize, (denied) => {
      refused.push(denied);
      events.emit('denied', denied);
    }, { ...from, skip });
  };

  /** Offers the documents refused by earlier syncs again; returns which are still refused, and why. */
  async function retryRefused(held: readonly DeniedDoc[], refusedNow: ReadonlySet<string>): Promise<{ written: number; still: Map<string, string> }> {
    const retry = held.filter((entry) => !refusedNow.has(entry.id));
    const still = new Map<string, string>();
    if (retry.length === 0) return { written: 0, still };
    const known = new Map(retry.map((entry) => [entry.id, entry.reason]));
    const result = await push(local, target, await loadRemovalState(local), batchSize, (denied) => {
      // Reported again only when the reason changed.
      if (known.get(denied.id) !== denied.reason) events.emit('denied', denied);
    }, { docIds: retry.map((entry) => entry.id) });
    for (const denied of result.denied) still.set(denied.id, denied.reason);
    return { written: result.written, still };
  }

  /**
   * The refused documents after this cycle: still refused (all of them when the retry did not run),
   * newly refused, not removed from the device.
   */
  async function heldAfter(
    held: readonly DeniedDoc[], still: ReadonlyMap<string, string> | undefined, refused: readonly Denied[], removed: ReadonlySet<string>,
  ): Promise<DeniedDoc[]> {
    const next = new Map<string, DeniedDoc>();
    for (const entry of held) {
      const reason = still ? still.get(entry.id) : entry.reason;
      if (reason !== undefined) next.set(entry.id, { ...entry, reason });
    }
    const fresh = refused.filter((d) => !removed.has(d.id));
    const revs = fresh.length > 0 ? (await local.allDocs({ keys: [...new Set(fresh.map((d) => d.id))] })).rows : [];
    for (const denied of fresh) {
      const rev = revs.find((row) => row.key === denied.id)?.value?.rev;
      if (rev) next.set(denied.id, { id: denied.id, rev, reason: denied.reason });
    }
    for (const id of removed) next.delete(id);
    return [...next.values()];
  }

  /** A cursor at the end of the user's feed now; undefined when the gateway serves no feed (every sync lists). */
  async function feedEnd(signal?: AbortSignal): Promise<string | undefined> {
    try {
      return (await remote.feed('now', { limit: 1 }, signal)).last_seq;
    } catch (err) {
      const failure = toSyncError(err);
      if (failure.status === 404 || failure.status === 400) return undefined;
      throw failure;
    }
  }

  /**
   * The pull of one cycle: from the stored cursor through the feed, else (first sync, or a cursor the
   * feed cannot serve) by list and diff, storing a cursor taken before the list was read.
   */
  function pullStep(cursor: string | undefined, first: { list?: IdsResponse; start?: string }, pullOptions: PullOptions) {
    const listAndDiff = async (pushedSome: boolean, start: string | undefined, base: number): Promise<PullResult> => {
      const list = !pushedSome && first.list ? first.list : await pullList(remote, pullOptions);
      // Progress goes on from what the feed already did, so it only grows.
      const offset: PullEvents = { ...pullEvents, progress: (done, total) => pullEvents.progress(base + done, base + total) };
      const pulled = await pull(local, remote, serverRevsDiff, list, pullOptions, offset);
      lastSeq = pulled.lastSeq;
      if (start !== undefined && pulled.unwritten.length === 0) await saveCursor(local, feed, start);
      return pulled;
    };
    return async (pushedSome: boolean): Promise<PullResult> => {
      if (cursor === undefined) return listAndDiff(pushedSome, first.start, 0);
      const outcome = await feedPull(local, remote, serverRevsDiff, { cursor, key: feed }, pullOptions, pullEvents);
      if (outcome.kind === 'done') return outcome.result;
      // Forgotten first: a repair cut short lists again next time.
      await saveCursor(local, feed, undefined);
      const start = await feedEnd(pullOptions.signal);
      return mergePulls(outcome.partial, await listAndDiff(true, start, outcome.partial.downloaded + outcome.partial.skipped));
    };
  }

  async function cycle(signal?: AbortSignal, forceList = false): Promise<{ push: PushResult; pull: PullResult; pending: boolean }> {
    const pullOptions: PullOptions = { batchSize, ...(options.maxDocs !== undefined ? { maxDocs: options.maxDocs } : {}), ...(signal ? { signal } : {}) };
    if (forceList) await saveCursor(local, feed, undefined);
    const cursor = await loadCursor(local, feed);
    const first: { list?: IdsResponse; start?: string } = {};
    if (cursor === undefined) {
      // The cursor is taken before the list is read, so nothing changed between them is missed.
      const start = await feedEnd(signal);
      if (start !== undefined) first.start = start;
      // The list comes first, so a user over the limit is refused before anything moves either way.
      first.list = await pullList(remote, pullOptions);
    } else if (options.maxDocs !== undefined) {
      const { count } = await remote.digest(signal);
      if (count > options.maxDocs) throw new SyncError('too-many-docs', `this user may see ${count} documents, more than the limit of ${options.maxDocs}`, undefined, count);
    }
    const held = await loadDenied(local);
    const refused: Denied[] = [];
    const outcome: { still?: Map<string, string>; removed: ReadonlySet<string>; failed: boolean } = { removed: new Set(), failed: true };
    try {
      const result = await cycleSteps(pullStep(cursor, first, pullOptions), held, refused, outcome);
      outcome.failed = false;
      return result;
    } finally {
      // Saved even when the cycle failed: the push checkpoint is already past what was refused.
      const next = await heldAfter(held, outcome.still, refused, outcome.removed);
      if (JSON.stringify(next) !== JSON.stringify(held)) await saveDenied(local, next).catch((err: unknown) => { if (!outcome.failed) throw err; });
    }
  }

  async function cycleSteps(
    pullNow: (pushedSome: boolean) => Promise<PullResult>, held: readonly DeniedDoc[], refused: Denied[],
    outcome: { still?: Map<string, string>; removed: ReadonlySet<string> },
  ): Promise<{ push: PushResult; pull: PullResult; pending: boolean }> {
    // `covered`: every local change up to it is on the server, refused (and held), or never pushed.
    const startSeq = (await local.info()).update_seq;
    const synced = await loadSynced(local);
    // The pull's downloads are not marked in the push checkpoint as they land (that costs four requests
    // per sync); the first push after many of them starts at the synced sequence instead of diffing them.
    const from = (at: Synced): PushFrom => (checkpointLag(at) > batchSize ? { since: at.seq } : {});
    const pushed = String(startSeq) === String(synced.seq) ? NOTHING_PUSHED : await pushOnce(refused, held, from(synced));
    let covered = pushed.lastSeq ?? startSeq;
    let pushedTo = pushed.lastSeq ?? synced.pushedTo;
    const retried = await retryRefused(held, new Set(refused.map((d) => d.id)));
    outcome.still = retried.still;
    // What the push wrote can change what the user may see (a deleted person takes their reports
    // along): a list taken before it would keep those on the device, so it is taken again (the feed
    // read after the push has those changes anyway).
    const pulled = await pullNow(pushed.written + retried.written > 0);
    outcome.removed = new Set(pulled.removedIds);
    let pending = pulled.skipped > 0 || retried.written > 0;
    let pushedTotal: PushResult = { ...pushed, written: pushed.written + retried.written };
    const pushes = pushFilter(await loadRemovalState(local));
    const heldIds = new Set(held.map((entry) => entry.id));
    const unknown = pulled.unknownIds.filter((id) => !heldIds.has(id) && !refused.some((d) => d.id === id));
    if (pushed === NOTHING_PUSHED && unknown.length > 0) {
      // The device holds documents the server never had although nothing changed here: the server
      // was restored from an older backup. PouchDB's checkpoints tell which to send.
      const resent = await pushOnce(refused, held);
      pending ||= resent.written > 0;
      covered = resent.lastSeq ?? covered;
      pushedTo = resent.lastSeq ?? pushedTo;
      pushedTotal = { ...resent, denied: [...pushedTotal.denied, ...resent.denied], written: pushedTotal.written + resent.written };
    } else if ((await unpushedSince(local, covered, pulled.touched, pushes)).found) {
      // Something the push may not have sent (written while it or the pull ran): push what follows `covered`.
      const late = await pushOnce(refused, held, from({ seq: covered, pushedTo }));
      pending ||= late.written > 0;
      covered = late.lastSeq ?? covered;
      pushedTo = late.lastSeq ?? pushedTo;
      pushedTotal = { ...pushedTotal, denied: [...pushedTotal.denied, ...late.denied], written: pushedTotal.written + late.written };
    }
    // A write after the last push's changes read is still to go: not up to date, and never marked synced.
    const rest = await unpushedSince(local, covered, pulled.touched, pushes);
    pending ||= rest.found;
    if (!pending) await saveSynced(local, { seq: rest.lastSeq, pushedTo });
    return { push: pushedTotal, pull: pulled, pending };
  }

  let storageAsked = false;
  async function askPersistentStorage(): Promise<void> {
    if (storageAsked) return;
    storageAsked = true;
    const storage = (globalThis as { navigator?: { storage?: { persist?: () => Promise<boolean> } } }).navigator?.storage;
    if (typeof storage?.persist !== 'function') return;
    const persisted = await storage.persist().catch(() => false);
    events.emit('storage', { persisted });
  }

  async function sync(signal?: AbortSignal, forceList = false): Promise<SyncResult> {
    setState('syncing');
    await askPersistentStorage();
    try {
      let cycles = 0;
      let sum: { push: PushResult; pull: PullResult } | undefined;
      for (;;) {
        cycles += 1;
        const result = await cycle(signal, forceList && cycles === 1);
        sum = sum ? addCycles(sum, result) : result;
        if (result.pull.unwritten.length > 0) throw unwrittenError(result.pull.unwritten);
        if (!result.pending || cycles >= 3) {
          const final: SyncState = result.pending ? 'idle' : 'up-to-date';
          const held = { denied: (await loadDenied(local)).length, quarantined: (await loadQuarantine(local)).length };
          events.emit('held', held);
          setState(final);
          return { push: sum.push, pull: sum.pull, cycles, state: final, held };
        }
      }
    } catch (err) {
      const failure = toSyncError(err);
      setState(failure.kind === 'offline' ? 'offline' : 'error');
      throw failure;
    }
  }

  async function runLive(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      try {
        const { state: ended } = await sync(signal);
        attempt = 0;
        // Watched from what the sync covered, so a write made as it ended still wakes the next one;
        // after a sync that ended with work pending, from now, so the loop does not spin on that work.
        await waitForWork(signal, ended === 'up-to-date' ? await syncedSeq(local) : 'now');
      } catch (err) {
        if (signal.aborted) return;
        // Read before the error is told, so a write the app makes on hearing it wakes the retry.
        const since = watched.closed ? undefined : await currentSeq(local);
        events.emit('error', toSyncError(err));
        // A closed PouchDB object never opens again: the app syncs the reopened one with a new client.
        if (watched.closed) return;
        await backOff(backOffDelay(attempt, (options.random ?? Math.random)(), options.backOff ?? DEFAULT_BACK_OFF), since, signal);
        attempt += 1;
      }
    }
  }

  /** Waits `ms` before a retry, or less when the device writes meanwhile: its write is retried at once. */
  async function backOff(ms: number, since: number | string | undefined, signal: AbortSignal): Promise<void> {
    // A stop asked before this wait began would never fire its listener.
    if (signal.aborted) return;
    const wake = new AbortController();
    const stop = (): void => wake.abort();
    signal.addEventListener('abort', stop, { once: true });
    let feed: { cancel(): void } | undefined;
    try {
      if (since !== undefined) {
        const changes = local.changes({ since, live: true });
        changes.on('change', stop);
        feed = changes;
      }
      await sleep(ms, wake.signal);
    } catch {
      // No feed (the database failed): wait the whole delay.
      await sleep(ms, signal);
    } finally {
      feed?.cancel();
      signal.removeEventListener('abort', stop);
    }
  }

  /**
   * One long poll on the user's feed from the stored cursor (on a gateway without a feed, on
   * `_fieldsync/changes`): true when there is something to pull, or the cursor needs the sync's repair.
   */
  async function serverChanged(signal: AbortSignal): Promise<boolean> {
    const waitMs = options.liveWaitMs ?? 25_000;
    const cursor = await loadCursor(local, feed);
    if (cursor === undefined) return (await remote.waitForChange(lastSeq, waitMs, signal)).changed;
    let page;
    try {
      page = await remote.feed(cursor, { limit: 1, waitMs }, signal);
    } catch (err) {
      if (toSyncError(err).status === 400) return true;
      throw err;
    }
    if (page.results.length > 0 || page.fieldsync_verify === true) return true;
    // Nothing of this user's up to there: the next wait starts after it.
    if (page.last_seq !== cursor && !signal.aborted) await saveCursor(local, feed, page.last_seq);
    return false;
  }

  /** Compares digests; on a mismatch repairs by a list-and-diff sync and compares again. */
  async function verify(): Promise<VerifyResult> {
    const digests = async (): Promise<{ server: RevisionDigest; device: RevisionDigest }> => {
      const serverDigest = await remote.digest();
      return { server: serverDigest, device: await deviceDigest(local, serverRevsDiff, await loadDenied(local), await loadRemovalState(local)) };
    };
    try {
      const before = await digests();
      if (before.server.digest === before.device.digest) return { equal: true, ...before };
      const repaired = await sync(undefined, true);
      const after = await digests();
      return { equal: false, ...before, repair: { sync: repaired, equal: after.server.digest === after.device.digest } };
    } catch (err) {
      throw toSyncError(err);
    }
  }

  async function waitForWork(signal: AbortSignal, since: number | string): Promise<void> {
    // A stop asked while the sync ran would never fire its listener: the wait would last until a change.
    if (signal.aborted) return;
    const inner = new AbortController();
    const stop = (): void => inner.abort();
    signal.addEventListener('abort', stop, { once: true });
    const feed = local.changes({ since, live: true });
    const localWrite = new Promise<void>((resolve) => { feed.on('change', () => resolve()); });
    const serverChange = (async () => {
      for (;;) {
        if (await serverChanged(inner.signal)) return;
      }
    })();
    try {
      await Promise.race([localWrite, serverChange, new Promise<void>((resolve) => inner.signal.addEventListener('abort', () => resolve(), { once: true }))]);
    } finally {
      feed.cancel();
      inner.abort();
      signal.removeEventListener('abort', stop);
      // Settled before the next sync starts, so the two never write the cursor at once.
      await serverChange.catch(() => undefined);
    }
  }

  return {
    get state() { return state; },
    on: (event, listener) => events.on(event, listener),
    sync: () => sync(),
    verify,
    start() {
      if (live) return;
      const controller = new AbortController();
      live = { controller, done: runLive(controller.signal) };
    },
    async stop() {
      if (!live) return;
      const running = live;
      live = undefined;
      running.controller.abort();
      await running.done.catch(() => undefined);
      setState('idle');
    },
    denied: () => loadDenied(local),
    quarantine: () => loadQuarantine(local),
    releaseQuarantined: (id, rev) => releaseQuarantined(local, id, rev),
  };
}

export { SyncError };
