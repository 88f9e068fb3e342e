/**
 * The wire protocol between the sync client and the gateway, and the pure pieces both sides share:
 * endpoint paths, response shapes, batching and back-off. The gateway serves, under
 * `<mount>/<db>`, enough of CouchDB's API for PouchDB's own push replication (`GET /`, `_local`,
 * `_revs_diff`, `_bulk_docs`) plus `_bulk_get` and three fieldsync endpoints for the pull.
 */

/** Path segments of the fieldsync endpoints, under `<mount>/<db>/`. */
export const ENDPOINTS = {
  /** `GET`: every `{id, rev, conflicts?}` the user may have, sorted by id. */
  ids: '_fieldsync/ids',
  /**
   * `POST {docs: [{id, rev}]}`: of these revisions the device holds, which the server has but the user
   * may no longer have. It speaks only of revisions the server knows, so it tells nothing of ids the
   * user never held.
   */
  gone: '_fieldsync/gone',
  /**
   * `GET ?since=&timeout=`: waits until the database changes; answers `{last_seq, changed}` only. The
   * gateway bounds the wait and refuses a user's fifth concurrent wait with 429.
   */
  changes: '_fieldsync/changes',
  /**
   * `GET|POST`: CouchDB's `_changes` for the user only (see {@link FeedResponse}); `since` is `0`, `now` or
   * a cursor the gateway gave. With `removals=true` it also lists documents that left the user's view.
   */
  feed: '_changes',
  /** `GET`: the {@link DigestResponse} of every `{id, rev}` the user may have (what `ids` lists). */
  digest: '_fieldsync/digest',
} as const;

/** One revision the user may have. */
export interface IdRev {
  readonly id: string;
  readonly rev: string;
}

/** One document of the pull list: its winning revision, and its other live leaves when it has a conflict. */
export interface ListedDoc extends IdRev {
  /** Conflicting live leaf revisions the user may see (absent when there are none). */
  readonly conflicts?: readonly string[];
}

/** Answer of the ids endpoint. */
export interface IdsResponse {
  readonly rows: readonly ListedDoc[];
  /** Number of docs the user may see, without tasks (what the warning is about). */
  readonly count: number;
  /** Set when `count` exceeds the gateway's warning threshold. */
  readonly warning?: string;
  /** The database's update sequence when the list was built: start of the next changes wait. */
  readonly last_seq: string;
}

/** Answer of the gone endpoint. */
export interface GoneResponse {
  /** Ids the client should remove, each with why: the server has the device's revision, and it is deleted or no longer the user's. */
  readonly rows: ReadonlyArray<{ readonly id: string; readonly reason: 'deleted' | 'not-visible' }>;
  /**
   * Ids whose revision the server does not have (the id never reached it, the device's edit did not,
   * or it is not the user's to ask about): work still to push, as after a server restored from an
   * older backup. The client keeps them.
   */
  readonly unknown: readonly string[];
}

/** Answer of the changes endpoint. */
export interface ChangesResponse {
  readonly last_seq: string;
  /** False when the wait timed out with nothing new. */
  readonly changed: boolean;
}

/** One entry of the gateway's `_changes`: a change of a document the user may see, or a removal. */
export interface FeedEntry {
  /** A cursor: resuming from it gives every change after this entry. */
  readonly seq: string;
  readonly id: string;
  /** Leaf revisions (`style=all_docs`) or the winning one; empty for a removal. */
  readonly changes: ReadonlyArray<{ readonly rev: string }>;
  readonly deleted?: true;
  /** Only with `removals=true`: the user held this document and may no longer see it (it is not deleted). */
  readonly removed?: true;
  /** With `include_docs=true`: the winning revision (`{_id, _rev, _deleted}` for a deletion). */
  readonly doc?: Readonly<Record<string, unknown>>;
}

/** Answer of the gateway's `_changes` (normal and longpoll feeds). */
export interface FeedResponse {
  readonly results: readonly FeedEntry[];
  /** The cursor to resume from (a string, opaque: never parse it). */
  readonly last_seq: string;
  /** Entries known to follow (0 when unknown). */
  readonly pending: number;
  /**
   * True when the gateway could not be sure every removal since `since` is listed (the cursor was older than
   * what it remembers): fieldsync's client then checks the digest or lists and diffs once.
   */
  readonly fieldsync_verify?: true;
}

/**
 * Answer of the digest endpoint: sha256 (hex) over the lines `id + " " + rev + "\n"` of every document the
 * user may have, sorted by id (code unit order), and their number.
 */
export interface DigestResponse {
  readonly digest: string;
  readonly count: number;
}

/** Splits a list into consecutive batches of at most `size` items. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Back-off settings: the delay doubles from `initialMs` up to `maxMs`, with ±`jitter` spread. */
export interface BackOff {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Fraction of the delay to spread randomly, 0..1. */
  readonly jitter: number;
}

/**
 * Default back-off: 1 s doubling to 25 s, ±20 %, so a retry comes at most 30 s after a failure and
 * a device resumes within 30 s of the network coming back.
 */
export const DEFAULT_BACK_OFF: BackOff = { initialMs: 1_000, maxMs: 25_000, jitter: 0.2 };

/**
 * Delay before retry number `attempt` (0 for the first retry); `random` in [0, 1) is passed in so
 * the function stays pure.
 */
export function backOffDelay(attempt: number, random: number, backOff: BackOff = DEFAULT_BACK_OFF): number {
  const base = Math.min(backOff.maxMs, backOff.initialMs * 2 ** Math.max(0, attempt));
  return Math.round(base * (1 - backOff.jitter + 2 * backOff.jitter * random));
}

/** True for the local tombstone a client writes when an adapter cannot purge. Never pushed. */
export function isRemovalMarker(doc: { readonly _deleted?: boolean; readonly purged?: unknown }): boolean {
  return doc._deleted === true && doc.purged === true;
}
