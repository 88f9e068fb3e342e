/** Typed sync failures: what went wrong, as a kind a UI can switch on. */

/** Why a sync step failed. */
export type SyncErrorKind =
  /** The server could not be reached (no network, DNS, connection refused or reset). */
  | 'offline'
  /** The credentials were refused or the session expired. */
  | 'unauthorized'
  /** The user may see more documents than the gateway allows; nothing was downloaded. */
  | 'too-many-docs'
  /** The device ran out of storage while writing; the pull stopped where it was. */
  | 'quota-exceeded'
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

/** Classifies anything thrown by fetch, PouchDB or the gateway as a {@link SyncError}. */
export function toSyncError(err: unknown): SyncError {
  if (err instanceof SyncError) return err;
  const e = err as { status?: unknown; name?: unknown; message?: unknown; error?: unknown; reason?: unknown };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const message = typeof e.reason === 'string' ? e.reason : typeof e.message === 'string' ? e.message : String(err);
  if (e.name === 'QuotaExceededError' || /quota/i.test(message)) return new SyncError('quota-exceeded', message, status);
  if (status === 401) return new SyncError('unauthorized', message, status);
  if (status === undefined || status === 0 || e.name === 'TypeError' || e.name === 'AbortError') return new SyncError('offline', message, status);
  return new SyncError('server', message, status);
}
