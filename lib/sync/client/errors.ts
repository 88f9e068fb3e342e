/** Typed sync failures: what went wrong, as a kind a UI can switch on. */

/** Why a sync step failed. */
export type SyncErrorKind =
  /** The server could not be reached or did not answer in time (no network, DNS, refused, reset, timeout). */
  | 'offline'
  /** The credentials were refused or the session expired. */
  | 'unauthorized'
  /** The user may see more documents than the gateway allows; nothing was downloaded. */
  | 'too-many-docs'
  /** The device ran out of storage while writing (`QuotaExceededError`, `ENOSPC`); the pull stopped where it was. */
  | 'quota-exceeded'
  /**
   * The device's database failed: it was closed or destroyed during the sync, or a call on it did not
   * settle within `localTimeoutMs`. Open it again and create a new client for it.
   */
  | 'local'
  /**
   * The URL given is not a gateway URL of one database (malformed, not http(s), credentials in it, no
   * database); thrown by `createSyncClient` itself, before anything is sent.
   */
  | 'invalid-url'
  /** The server that answered is not the fieldsync gateway (a CouchDB URL given as the gateway, a wrong path). */
  | 'not-a-gateway'
  /** Any other answer from the server. */
  | 'server';

/** The one error class sync throws or emits, carrying its kind. */
export class SyncError extends Error {
  constructor(
    readonly kind: SyncErrorKind,
    message: string,
    /** HTTP status, when the server answered. */
    readonly status?: number,
    /** For `too-many-docs`: how many the user may see. */
    readonly count?: number,
  ) {
    super(message);
    this.name = 'SyncError';
  }
}

/** Storage full: browsers' QuotaExceededError, Node's ENOSPC (leveldown reports it in its message). */
function isStorageFull(name: unknown, code: unknown, message: string, words: string): boolean {
  return name === 'QuotaExceededError' || code === 'ENOSPC' || /quota/i.test(message) || /ENOSPC|no space left/i.test(words);
}

/** A database that is closed, destroyed or closing (PouchDB, level, IndexedDB words). */
function isLocalGone(name: unknown, code: unknown, message: string): boolean {
  return code === 'LEVEL_DATABASE_NOT_OPEN' || name === 'InvalidStateError'
    || /database is (closed|destroyed)|database is not open|connection is closing/i.test(message);
}

function parts(err: unknown): { name: unknown; code: unknown; status: number | undefined; message: string } {
  const e = (err ?? {}) as { status?: unknown; name?: unknown; code?: unknown; message?: unknown; reason?: unknown };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const message = typeof e.reason === 'string' ? e.reason : typeof e.message === 'string' ? e.message : String(err);
  return { name: e.name, code: e.code, status, message };
}

/**
 * What a failure of a call on the device's own database means: full storage and a closed database get
 * their kinds; anything else is returned as it was (callers look at PouchDB's own errors, such as 404).
 */
export function localFailure(err: unknown): Error {
  if (err instanceof SyncError) return err;
  const { name, code, status, message } = parts(err);
  if (isStorageFull(name, code, message, message)) return new SyncError('quota-exceeded', message, status);
  if (isLocalGone(name, code, message)) return new SyncError('local', message, status);
  return err instanceof Error ? err : Object.assign(new Error(message), err);
}

/**
 * Classifies anything thrown by fetch, PouchDB or the gateway as a {@link SyncError}. The words of a
 * message count only when no server answered (a server's own full disk is a `server` error).
 */
export function toSyncError(err: unknown): SyncError {
  if (err instanceof SyncError) return err;
  const { name, code, status, message } = parts(err);
  const words = status === undefined ? message : '';
  if (isStorageFull(name, code, message, words)) return new SyncError('quota-exceeded', message, status);
  if (isLocalGone(name, code, words)) return new SyncError('local', message, status);
  if (status === 401) return new SyncError('unauthorized', message, status);
  if (status === undefined || status === 0 || name === 'TypeError' || name === 'AbortError') return new SyncError('offline', message, status);
  return new SyncError('server', message, status);
}
