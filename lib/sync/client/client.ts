/**
 * The sync client: push then pull, once or live, over any PouchDB. A cycle ends `up-to-date` only when
 * nothing was written locally while it ran and the pull found nothing left to fetch; otherwise it runs
 * again. Live mode waits for a local write or a server change (long poll), and after a failure retries
 * with back-off, so a device that was offline for hours resumes by itself.
 */
import { backOffDelay, DEFAULT_BACK_OFF } from '../protocol.js';
import type { BackOff } from '../protocol.js';
import { emitter } from './emitter.js';
import { SyncError, toSyncError } from './errors.js';
import { watchLocal } from './local.js';
import type { LocalDatabase } from './local.js';
import { pull, pullList } from './pull.js';
import type { PullResult } from './pull.js';
import { push, pushTarget } from './push.js';
import type { Denied, PushResult } from './push.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, remote as makeRemote } from './remote.js';
import type { RemoteOptions } from './remote.js';
import { loadRemovalState } from './removal.js';
import { saveSyncedSeq, syncedSeq } from './synced.js';

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
}

/** A sync client for one local database and one gateway database. */
export interface SyncClient {
  readonly state: SyncState;
  on<K extends keyof SyncEvents & string>(event: K, listener: (payload: SyncEvents[K]) => void): () => void;
  /** Push then pull until up to date (at most 3 cycles). Throws a {@link SyncError}. */
  sync(): Promise<SyncResult>;
  /**
   * Starts live sync; failures are emitted as `error` events and retried with back-off (at most 30 s
   * by default; a local write retries at once). A closed local database ends it after its `local` error.
   */
  start(): void;
  /** Stops live sync and waits for the running cycle to end. */
  stop(): Promise<void>;
}

const NOTHING_PUSHED: PushResult = { written: 0, denied: [], batchSize: 0 };

/** Totals over the cycles of one sync; the list figures are the last cycle's. */
function addCycles(a: { push: PushResult; pull: PullResult }, b: { push: PushResult; pull: PullResult }): { push: PushResult; pull: PullResult } {
  return {
    push: { written: a.push.written + b.push.written, denied: [...a.push.denied, ...b.push.denied], batchSize: b.push.batchSize || a.push.batchSize },
    pull: { ...b.pull, downloaded: a.pull.downloaded + b.pull.downloaded, removed: a.pull.removed + b.pull.removed, skipped: b.pull.skipped },
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

/** Creates a sync client. The gateway URL names one database, e.g. `https://host/fieldsync/medic`. */
export function createSyncClient(options: SyncClientOptions): SyncClient {
  const localMs = options.localTimeoutMs ?? DEFAULT_LOCAL_TIMEOUT_MS;
  const requestMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Every call sync makes on the device's database settles, so no cycle can hang on it.
  const watched = watchLocal(options.local, { callMs: localMs, idleMs: 2 * (localMs + requestMs) });
  const local = watched.db;
  const remote = makeRemote(options);
  const events = emitter<SyncEvents>();
  const batchSize = options.batchSize ?? 500;
  // The push target is a PouchDB HTTP database of the app's own PouchDB build, on the gateway.
  const Pouch = (options.local as unknown as { constructor: PouchConstructor }).constructor;
  const target = pushTarget(Pouch, remote.url, remote.fetch);
  let state: SyncState = 'idle';
  let live: { controller: AbortController; done: Promise<void> } | undefined;
  let lastSeq = 'now';

  const setState = (next: SyncState): void => {
    if (next === state) return;
    state = next;
    events.emit('state', next);
  };

  const pushOnce = async (since?: number | string): Promise<PushResult> =>
    push(local, target, await loadRemovalState(local), batchSize, (denied) => events.emit('denied', denied), since);

  /** True when the device changed a document during the pull other than by the pull's own writes. */
  async function foreignWrites(since: number | string, touched: ReadonlyMap<string, string>): Promise<boolean> {
    // Counting update_seq is not enough: a pull write that changes nothing (a revision already known)
    // would let one write of the user's go unnoticed, and then never be pushed.
    const { results } = await local.changes({ since });
    return results.some((change) => !change.id.startsWith('_design/') && touched.get(change.id) !== change.changes[0]?.rev);
  }

  async function cycle(signal?: AbortSignal): Promise<{ push: PushResult; pull: PullResult; pending: boolean }> {
    const pullOptions = { batchSize, ...(options.maxDocs !== undefined ? { maxDocs: options.maxDocs } : {}), ...(signal ? { signal } : {}) };
    // The list comes first, so a user over the limit is refused before anything moves either way.
    const list = await pullList(remote, pullOptions);
    const startSeq = (await local.info()).update_seq;
    const pushed = String(startSeq) === String(await syncedSeq(local)) ? NOTHING_PUSHED : await pushOnce();
    const beforePull = (await local.info()).update_seq;
    const pulled = await pull(local, remote, list, pullOptions, {
      progress: (done, total) => events.emit('progress', { phase: 'pull', done, total }),
      removed: (id, reason, how) => events.emit('removed', { id, reason, how }),
      conflict: (id, revs) => events.emit('conflict', { id, revs }),
      warning: (message) => events.emit('warning', message),
    });
    lastSeq = pulled.lastSeq;
    const afterPull = (await local.info()).update_seq;
    let pending = pulled.skipped > 0;
    let pushedTotal = pushed;
    if (pushed === NOTHING_PUSHED && pulled.unknownOnServer > 0) {
      // The device holds documents the server never had although nothing changed here: the server
      // was restored from an older backup (or refused them). PouchDB's checkpoints tell which to send.
      const resent = await pushOnce();
      pending ||= resent.written > 0;
      pushedTotal = { ...resent, denied: [...pushed.denied, ...resent.denied], written: pushed.written + resent.written };
    } else if (await foreignWrites(beforePull, pulled.touched)) {
      // Someone wrote while the pull ran: push it now, and go round again if it was not all taken.
      const late = await pushOnce();
      pending ||= late.written > 0;
    } else if (String(afterPull) !== String(beforePull)) {
      // Only downloads since: move the push checkpoint past them instead of diffing them all.
      await pushOnce(afterPull);
    }
    if (!pending) await saveSyncedSeq(local, (await local.info()).update_seq);
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

  async function sync(signal?: AbortSignal): Promise<SyncResult> {
    setState('syncing');
    await askPersistentStorage();
    try {
      let cycles = 0;
      let sum: { push: PushResult; pull: PullResult } | undefined;
      for (;;) {
        cycles += 1;
        const result = await cycle(signal);
        sum = sum ? addCycles(sum, result) : result;
        if (!result.pending || cycles >= 3) {
          const final: SyncState = result.pending ? 'idle' : 'up-to-date';
          setState(final);
          return { push: sum.push, pull: sum.pull, cycles, state: final };
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
        await sync(signal);
        attempt = 0;
        await waitForWork(signal);
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

  async function waitForWork(signal: AbortSignal): Promise<void> {
    const inner = new AbortController();
    const stop = (): void => inner.abort();
    signal.addEventListener('abort', stop, { once: true });
    const feed = local.changes({ since: 'now', live: true });
    const localWrite = new Promise<void>((resolve) => { feed.on('change', () => resolve()); });
    const serverChange = (async () => {
      for (;;) {
        const answer = await remote.waitForChange(lastSeq, options.liveWaitMs ?? 25_000, inner.signal);
        if (answer.changed) return;
      }
    })();
    try {
      await Promise.race([localWrite, serverChange, new Promise<void>((resolve) => inner.signal.addEventListener('abort', () => resolve(), { once: true }))]);
    } finally {
      feed.cancel();
      inner.abort();
      signal.removeEventListener('abort', stop);
      serverChange.catch(() => undefined);
    }
  }

  return {
    get state() { return state; },
    on: (event, listener) => events.on(event, listener),
    sync: () => sync(),
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
  };
}

export { SyncError };
