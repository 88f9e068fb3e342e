/**
 * Where the model-based test reaches into a sync: a fetch and a local database that count their calls
 * and run a planned action at a chosen call number (a write, a refused connection, a lost answer, a
 * quota error, a close). Counting calls instead of sleeping keeps every run deterministic.
 */
import type { LocalDatabase, LocalDoc } from '../../lib/sync/client/local.js';

/** What happens at one fetch call of a sync. */
export type NetFault =
  /** Nothing reaches the gateway (connection refused). */
  | 'refuse'
  /** The gateway does the work, the answer never arrives (killed after processing). */
  | 'lose'
  /** The gateway is killed before the request and stays down until revived. */
  | 'kill'
  /** The app closes its database before the request (mid-push or mid-pull), and reopens it after the sync. */
  | 'close-db';

/** A plan for one sync: at fetch call `call`, run `act` before or after the request. */
export interface NetPlan {
  readonly call: number;
  readonly when: 'before' | 'after';
  act(): Promise<void>;
}

/** A fetch whose calls are counted from `reset()`, running the current plan at its call. */
export interface HookedFetch {
  readonly fetch: typeof fetch;
  plan: NetPlan | undefined;
  /** True once the current plan ran. */
  readonly fired: boolean;
  reset(): void;
}

/** Wraps the global fetch. */
export function hookedFetch(): HookedFetch {
  let calls = 0;
  let fired = false;
  const hooked: HookedFetch = {
    plan: undefined,
    get fired() { return fired; },
    reset() { calls = 0; fired = false; },
    fetch: async (input, init) => {
      const n = calls;
      calls += 1;
      const plan = hooked.plan?.call === n ? hooked.plan : undefined;
      if (plan?.when === 'before') { fired = true; await plan.act(); }
      const response = await fetch(input, init);
      if (plan?.when !== 'after') return response;
      // Read the whole answer first: the server finished its work before the connection died.
      const body = await response.arrayBuffer();
      fired = true;
      await plan.act();
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    },
  };
  return hooked;
}

/** A refused connection, as fetch reports it. */
export function connectionRefused(): never {
  throw new TypeError('fetch failed (connection refused, injected)');
}

/** What happens at one write of the sync client to the device's database. */
export type LocalFault =
  /** The write throws QuotaExceededError once. */
  | 'quota'
  /** A bulkDocs reports a per-document error for its first document, which is not written. */
  | 'doc-error'
  /** The database is closed while the write is in flight. */
  | 'close';

/** The device database as the sync client sees it: writes counted, one fault at a chosen write. */
export interface HookedLocal {
  readonly local: LocalDatabase;
  fault: { readonly call: number; readonly kind: LocalFault } | undefined;
  readonly fired: boolean;
  reset(): void;
}

function quotaError(): Error {
  const error = new Error('The quota has been exceeded (injected)');
  error.name = 'QuotaExceededError';
  return error;
}

const closing = new WeakMap<object, Promise<void>>();

/**
 * Closes the app's database once, and gives every later caller that same close to wait for: PouchDB
 * never opens a database reopened under the same name while its close is still under way, and a
 * second `close()` rejects at once ("database is closed") instead of waiting for the first.
 */
export function closeOnce(db: { close(): Promise<void> }): Promise<void> {
  const started = closing.get(db) ?? db.close();
  closing.set(db, started);
  return started;
}

/** Wraps a PouchDB database for the sync client. */
export function hookedLocal(db: PouchDB.Database): HookedLocal {
  const raw = db as unknown as LocalDatabase & { close(): Promise<void> };
  let writes = 0;
  let fired = false;
  const hooked: { fault: HookedLocal['fault'] } = { fault: undefined };
  async function write<T>(run: () => Promise<T>, docs: readonly LocalDoc[], bulk: (rest: LocalDoc[]) => Promise<T>): Promise<T> {
    const n = writes;
    writes += 1;
    const fault = hooked.fault?.call === n ? hooked.fault : undefined;
    if (!fault) return run();
    fired = true;
    if (fault.kind === 'quota') throw quotaError();
    if (fault.kind === 'close') {
      const inFlight = run();
      await closeOnce(raw);
      return inFlight;
    }
    // doc-error: a put fails outright; a bulkDocs writes all but its first document.
    if (docs.length <= 1) throw quotaError();
    const [first, ...rest] = docs;
    const results = (await bulk(rest)) as unknown[];
    return [{ id: first?._id, error: true, status: 500, name: 'QuotaExceededError', message: 'quota (injected)' }, ...results] as T;
  }
  // Only the writes are hooked; everything else is the PouchDB database itself (PouchDB's replication
  // uses it as an event emitter, and the client builds its push target from its constructor).
  const writes_ = {
    bulkDocs: (docs: LocalDoc[], options: { new_edits: false }) =>
      write(() => raw.bulkDocs(docs, options), docs, (rest) => raw.bulkDocs(rest, options)),
    put: (doc: LocalDoc) => write(() => raw.put(doc), [doc], () => raw.put(doc)),
  };
  const local = new Proxy(raw, {
    get(target, prop) {
      if (prop === 'bulkDocs' || prop === 'put') return writes_[prop];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' && prop !== 'constructor' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    local,
    get fault() { return hooked.fault; },
    set fault(next) { hooked.fault = next; },
    get fired() { return fired; },
    reset() { writes = 0; fired = false; },
  };
}
