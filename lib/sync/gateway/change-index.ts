/**
 * The change index: one per gateway per database. It knows the replication keys of every document (primed
 * from the rules' `replication_keys` view, then kept by following the database's `_changes` once for the
 * whole process), keeps a bounded window of the latest changes with each document's keys before and after,
 * and wakes only the waiting feeds whose readable keys a change touches. Nothing in it is needed for
 * correctness: a feed whose cursor is outside the window asks CouchDB (see `feed-fallback.ts`).
 */
import type { AccessRules, AnyDoc } from '../rules.js';
import { changeWindow } from './change-window.js';
import type { ChangeWindow, WindowChange } from './change-window.js';
import type { GatewayCouch } from './couch.js';

/** Changes read from CouchDB per request. */
export const INDEX_BATCH = 500;

/** Default number of changes the window holds. */
export const DEFAULT_WINDOW_SIZE = 20_000;

/** Longest a follow request waits in CouchDB before it is asked again. */
const FOLLOW_TIMEOUT_MS = 30_000;

/** One change row as CouchDB's `_changes?include_docs=true&style=all_docs` gives it. */
export interface ChangeRow {
  readonly seq: unknown;
  readonly id: string;
  readonly changes: ReadonlyArray<{ readonly rev: string }>;
  readonly deleted?: boolean;
  readonly doc?: AnyDoc | null;
}

interface ChangesAnswer {
  readonly results: readonly ChangeRow[];
  readonly last_seq: unknown;
}

/** What a change index needs. */
export interface ChangeIndexOptions {
  readonly couch: GatewayCouch;
  readonly db: string;
  readonly rules: AccessRules<unknown>;
  readonly windowSize?: number;
  /**
   * Called with the wake keys of every change that may alter users' contexts, once it is in the index and
   * before waiters are woken (not for a document the rules say no context reads, now nor before).
   */
  readonly onChange?: (keys: ReadonlySet<string>) => void;
  /** Delay before retrying after CouchDB failed (attempt 0, 1, ...). Default 0.5 s doubling to 30 s. */
  readonly retryDelayMs?: (attempt: number) => number;
}

/** The index of one database. */
export interface ChangeIndex {
  /** Resolves once the index is primed (starting it on first call); rejects when priming failed. */
  ready(): Promise<void>;
  /** Reads every change CouchDB has now (so a feed answers the writes made before it was asked). */
  catchUp(): Promise<void>;
  /** How many changes the index has taken in so far (to tell whether one came in meanwhile). */
  seen(): number;
  /** The latest position: a sequence a feed may resume from. */
  position(): string;
  /** The changes after position `seq`, or undefined when `seq` is not a position of the window. */
  after(seq: string): readonly WindowChange[] | undefined;
  /** The replication keys of a document (a deleted one keeps its last live keys); undefined when unknown. */
  keysOf(id: string): readonly string[] | undefined;
  /** Calls `wake` on every change whose wake keys meet `keys`, until the returned function is called. */
  wait(keys: ReadonlySet<string>, wake: () => void): () => void;
  /** How many waits are registered now. */
  waiting(): number;
  /** Stops following the database. */
  close(): void;
}

function meets(keys: Iterable<string>, set: ReadonlySet<string>): boolean {
  for (const key of keys) if (set.has(key)) return true;
  return false;
}

// Unref'd: a gateway nobody closed, retrying a database that went away, must not keep its process alive.
const sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  timer.unref();
  signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

/** Creates the (not yet started) index of one database. */
export function changeIndex(options: ChangeIndexOptions): ChangeIndex {
  const { couch, db, rules } = options;
  const design = rules.designDocId.replace(/^_design\//, '');
  const retryDelay = options.retryDelayMs ?? ((attempt: number) => Math.min(30_000, 500 * 2 ** attempt));
  const keys = new Map<string, readonly string[]>();
  // Documents whose latest version seen since priming no context reads (see `AccessRules.readByContexts`).
  const unread = new Set<string>();
  const waiters = new Set<{ keys: ReadonlySet<string>; wake: () => void }>();
  const stop = new AbortController();
  let window: ChangeWindow | undefined;
  let last = '';
  let primed: Promise<void> | undefined;
  let lock: Promise<unknown> = Promise.resolve();
  let queued: Promise<void> | undefined;
  let seen = 0;

  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = lock.then(work, work);
    lock = run.catch(() => undefined);
    return run;
  };

  const ingest = (row: ChangeRow): void => {
    const known = keys.get(row.id);
    const before = known ?? [];
    const deleted = row.deleted === true;
    const doc = row.doc ?? undefined;
    // New (or filed under no key before, so in no reader's context by its keys), or seen unread before.
    const unreadBefore = known === undefined || unread.has(row.id);
    const unreadNow = !deleted && doc !== undefined && rules.readByContexts?.(doc) === false;
    if (unreadNow) unread.add(row.id);
    else unread.delete(row.id);
    const after = deleted || !doc ? before : rules.replicationKeys(doc);
    if (!deleted) {
      if (after.length > 0) keys.set(row.id, after);
      else keys.delete(row.id);
    }
    const revs = row.changes.map((c) => c.rev);
    const seq = String(row.seq);
    window?.push({ seq, id: row.id, revs, winner: doc?._rev ?? revs[0] ?? '', deleted, before, after });
    seen += 1;
    const wake = new Set([...before, ...after, ...(doc && rules.routingKeys ? rules.routingKeys(doc) : [])]);
    if (!(unreadBefore && unreadNow)) options.onChange?.(wake);
    for (const waiter of [...waiters]) if (meets(wake, waiter.keys)) waiter.wake();
  };

  const take = (answer: ChangesAnswer): void => {
    for (const row of answer.results) ingest(row);
    last = String(answer.last_seq);
    window?.mark(last);
  };

  const read = (feed: 'normal' | 'longpoll', since: string): Promise<ChangesAnswer> =>
    couch.abortable(db, '_changes', {
      feed, since, include_docs: 'true', style: 'all_docs', limit: String(INDEX_BATCH),
      ...(feed === 'longpoll' ? { timeout: String(FOLLOW_TIMEOUT_MS) } : {}),
    }, stop.signal) as Promise<ChangesAnswer>;

  /** Reads pages from the current position until CouchDB has no more. */
  const drain = async (): Promise<void> => {
    for (;;) {
      const answer = await read('normal', last);
      take(answer);
      if (answer.results.length < INDEX_BATCH) return;
    }
  };

  const prime = async (): Promise<void> => {
    const info = (await couch.abortable(db, '', {}, stop.signal)) as { update_seq: unknown };
    last = String(info.update_seq);
    // The view answers at least the state of `last`; the changes after it are read again below.
    let from: { key: unknown; id: string } | undefined;
    for (;;) {
      const qs: Record<string, string> = { limit: String(INDEX_BATCH * 10) };
      if (from) Object.assign(qs, { startkey: JSON.stringify(from.key), startkey_docid: from.id, skip: '1' });
      const page = (await couch.abortable(db, `_design/${design}/_view/replication_keys`, qs, stop.signal)) as { rows: Array<{ id: string; key: unknown }> };
      for (const row of page.rows) {
        if (typeof row.key !== 'string') continue;
        const held = keys.get(row.id);
        if (!held) keys.set(row.id, [row.key]);
        else if (!held.includes(row.key)) keys.set(row.id, [...held, row.key]);
      }
      const end = page.rows.at(-1);
      if (page.rows.length < INDEX_BATCH * 10 || !end) break;
      from = end;
    }
    // Before the catch-up ends the keys before a change may be wrong: the window starts after it.
    await drain();
    window = changeWindow(last, options.windowSize ?? DEFAULT_WINDOW_SIZE);
    void follow();
  };

  const follow = async (): Promise<void> => {
    for (let attempt = 0; !stop.signal.aborted;) {
      try {
        const from = last;
        const answer = await read('longpoll', from);
        await exclusive(() => { if (last === from) take(answer); return Promise.resolve(); });
        attempt = 0;
      } catch {
        if (stop.signal.aborted) return;
        await sleep(retryDelay(attempt++), stop.signal);
      }
    }
  };

  return {
    ready() {
      if (stop.signal.aborted) return Promise.reject(new Error('the change index is closed'));
      if (!primed) {
        primed = exclusive(prime);
        primed.catch(() => { primed = undefined; keys.clear(); unread.clear(); });
      }
      return primed;
    },
    catchUp() {
      queued ??= exclusive(async () => { queued = undefined; await drain(); });
      return queued;
    },
    seen: () => seen,
    position: () => window?.end ?? last,
    after: (seq) => window?.after(seq),
    keysOf: (id) => keys.get(id),
    wait(waitKeys, wake) {
      const waiter = { keys: waitKeys, wake };
      waiters.add(waiter);
      return () => { waiters.delete(waiter); };
    },
    waiting: () => waiters.size,
    close() {
      stop.abort();
      for (const waiter of [...waiters]) waiter.wake();
    },
  };
}
