/**
 * The part of a local PouchDB the sync client uses. Any PouchDB database (browser `indexeddb` or
 * `idb`, Node `memory` or `leveldb`) fits it; declaring it here keeps PouchDB's type package out of
 * an app's compile.
 */
import { localFailure, SyncError } from './errors.js';

/** A document as stored locally. */
export interface LocalDoc {
  readonly _id: string;
  readonly _rev?: string;
  readonly _deleted?: boolean;
  readonly [key: string]: unknown;
}

/** A running PouchDB replication (it is also a promise of its result). */
export interface LocalReplication extends PromiseLike<{ readonly docs_written: number; readonly doc_write_failures: number; readonly last_seq: number | string }> {
  on(event: 'denied', listener: (error: unknown) => void): unknown;
  on(event: 'change', listener: (info: { readonly docs_written: number; readonly pending?: number; readonly docs?: ReadonlyArray<{ readonly _id: string }> }) => void): unknown;
  cancel(): void;
}

/** The PouchDB database methods sync relies on. */
export interface LocalDatabase {
  readonly name: string;
  info(): Promise<{ readonly update_seq: number | string }>;
  revsDiff(diff: Record<string, string[]>): Promise<Record<string, { readonly missing?: readonly string[] }>>;
  bulkDocs(docs: LocalDoc[], options: { new_edits: false }): Promise<unknown[]>;
  allDocs(options: { keys?: string[]; include_docs?: boolean; conflicts?: boolean; startkey?: string; limit?: number; skip?: number }): Promise<{
    readonly rows: ReadonlyArray<{
      readonly id: string;
      readonly key: string;
      readonly error?: string;
      readonly value?: { readonly rev: string; readonly deleted?: boolean };
      readonly doc?: LocalDoc | null;
    }>;
  }>;
  get(id: string): Promise<LocalDoc>;
  get(id: string, options: { open_revs: 'all' }): Promise<ReadonlyArray<{ readonly ok?: LocalDoc }>>;
  /** One revision (`rev`), with its history (`revs`: `_revisions`) and attachment bodies (`attachments`). */
  get(id: string, options: { rev?: string; revs?: boolean; attachments?: boolean }): Promise<LocalDoc>;
  put(doc: LocalDoc): Promise<{ readonly rev: string }>;
  /** Removes a revision without a trace; only some adapters (`indexeddb`) implement it. */
  purge?(id: string, rev: string): Promise<unknown>;
  changes(options: { since: number | string; live: true; limit?: number }): { on(event: 'change', listener: () => void): unknown; cancel(): void };
  /** With `style: 'all_docs'` each change lists every leaf revision of its document. */
  changes(options: { since: number | string; limit?: number; style?: 'all_docs' }): PromiseLike<{
    readonly results: ReadonlyArray<{ readonly id: string; readonly changes: ReadonlyArray<{ readonly rev: string }> }>;
    readonly last_seq: number | string;
  }>;
  replicate: { to(target: unknown, options: Record<string, unknown>): LocalReplication };
}

/** Bounds of {@link watchLocal}. */
export interface LocalBounds {
  /** Longest a single call may take before the sync fails with kind `local`. */
  readonly callMs: number;
  /** Longest a push replication may go without any progress event. */
  readonly idleMs: number;
}

/** A local database whose calls can no longer hang a sync. */
export interface WatchedLocal {
  readonly db: LocalDatabase;
  /** True once the database emitted `closed` or `destroyed`: nothing on it can succeed again. */
  readonly closed: boolean;
}

type Reject = (err: SyncError) => void;
type AnyFunction = (...args: unknown[]) => unknown;
interface Emitter { on?(event: string, listener: (...args: unknown[]) => void): unknown }

/** Calls that answer with a plain promise; `changes` and `replicate` are handled on their own. */
const PROMISE_CALLS = new Set(['info', 'revsDiff', 'bulkDocs', 'allDocs', 'get', 'put', 'purge', 'bulkGet', 'id', 'remove']);

/** Whether a database was closed, and the calls in flight on it: one per database, however many clients sync it. */
interface Watch {
  closed: boolean;
  readonly inFlight: Set<Reject>;
}

const watches = new WeakMap<LocalDatabase, Watch>();

/** The watch of a database: its `closed`/`destroyed` listeners are added once, not once per client. */
function watchOf(db: LocalDatabase): Watch {
  const known = watches.get(db);
  if (known) return known;
  const watch: Watch = { closed: false, inFlight: new Set() };
  const onGone = (what: string) => (): void => {
    watch.closed = true;
    for (const reject of [...watch.inFlight]) reject(new SyncError('local', `the device database was ${what} during the sync`));
  };
  (db as unknown as Emitter).on?.('closed', onGone('closed'));
  (db as unknown as Emitter).on?.('destroyed', onGone('destroyed'));
  watches.set(db, watch);
  return watch;
}

/**
 * Wraps a PouchDB database so that every call sync makes on it settles: a call that does not settle
 * within `callMs`, or that is in flight when the database is closed (PouchDB then never settles it),
 * fails with a `local` {@link SyncError}; a push whose source is closed is cancelled at once.
 */
export function watchLocal(db: LocalDatabase, bounds: LocalBounds): WatchedLocal {
  const watch = watchOf(db);
  const { inFlight } = watch;

  /** Settles with `work`, or fails when the bound passes or the database closes first. */
  function bounded<T>(what: string, ms: number, work: () => PromiseLike<T>): Promise<T> {
    if (watch.closed) return Promise.reject(new SyncError('local', `the device database is closed (${what})`));
    return new Promise<T>((resolve, reject) => {
      const fail: Reject = (err) => { done(); reject(err); };
      const timer = setTimeout(() => fail(new SyncError('local', `the device database did not answer ${what} within ${ms} ms`)), ms);
      const done = (): void => { clearTimeout(timer); inFlight.delete(fail); };
      inFlight.add(fail);
      try {
        work().then((value) => { done(); resolve(value); }, (err: unknown) => { done(); reject(localFailure(err)); });
      } catch (err) {
        done();
        reject(localFailure(err));
      }
    });
  }

  function replicateTo(target: unknown, options: Record<string, unknown>): LocalReplication {
    const replication = startReplication(db, source(db), target, options);
    let fail: Reject = () => undefined;
    const result = new Promise<Awaited<LocalReplication>>((resolve, reject) => {
      if (watch.closed) { replication.cancel(); reject(new SyncError('local', 'the device database is closed (push)')); return; }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => { clearTimeout(timer); inFlight.delete(fail); };
      fail = (err) => { done(); replication.cancel(); reject(err); };
      const idle = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => fail(new SyncError('local', `the push made no progress within ${bounds.idleMs} ms`)), bounds.idleMs);
      };
      inFlight.add(fail);
      idle();
      for (const event of ['change', 'checkpoint', 'denied', 'active']) (replication as unknown as Emitter).on?.(event, idle);
      replication.then((value) => { done(); resolve(value); }, (err: unknown) => { done(); reject(localFailure(err)); });
    });
    result.catch(() => undefined);
    const watched: LocalReplication = {
      on: (event: 'denied' | 'change', listener: AnyFunction) => { (replication as unknown as Required<Emitter>).on(event, listener); return watched; },
      cancel: () => fail(new SyncError('local', 'the push was cancelled')),
      then: (onFulfilled, onRejected) => result.then(onFulfilled, onRejected),
    } as LocalReplication;
    return watched;
  }

  const watched = new Proxy(db, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop === 'replicate') return { to: replicateTo };
      if (typeof prop !== 'string' || typeof value !== 'function') return value;
      const call = value as AnyFunction;
      if (prop === 'changes') {
        return (options: { live?: boolean }) => (options.live
          ? call.call(target, options)
          : bounded('changes', bounds.callMs, () => call.call(target, options) as PromiseLike<unknown>));
      }
      if (PROMISE_CALLS.has(prop)) return (...args: unknown[]) => bounded(prop, bounds.callMs, () => call.apply(target, args) as PromiseLike<unknown>);
      return value;
    },
  });
  return { db: watched, get closed() { return watch.closed; } };
}

/**
 * The database as PouchDB's replication sees it: the same, except that `info()` never rejects once
 * the database is closed. PouchDB's replication calls `info()` after each batch without handling its
 * failure, which would otherwise be an unhandled rejection (fatal in Node) when the app closes the
 * database mid-push; the push itself is cancelled and fails on its own.
 */
function source(db: LocalDatabase): LocalDatabase {
  return new Proxy(db, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop !== 'info' || typeof value !== 'function') return value;
      return () => (value as () => Promise<unknown>).call(target).catch((err: unknown) => {
        if ((localFailure(err) as Partial<SyncError>).kind === 'local') return new Promise(() => undefined);
        throw err;
      });
    },
  });
}

/** Starts PouchDB's replication from `from` (the `source` view of `db`) when the build offers it. */
function startReplication(db: LocalDatabase, from: LocalDatabase, target: unknown, options: Record<string, unknown>): LocalReplication {
  const Pouch = (db as unknown as { constructor?: { replicate?: (a: unknown, b: unknown, o: Record<string, unknown>) => LocalReplication } }).constructor;
  return typeof Pouch?.replicate === 'function' ? Pouch.replicate(from, target, options) : db.replicate.to(target, options);
}
