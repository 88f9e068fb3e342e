/**
 * The push: PouchDB's own replication to the gateway, which speaks enough of CouchDB's API for it
 * (checkpoints in `_local`, `_revs_diff`, `_bulk_docs`). PouchDB brings stable checkpoints and
 * revision histories; fieldsync adds the filter (never design docs, removal tombstones or re-grant
 * stand-ins), typed denials, and batch halving when the server refuses a body as too large. Which
 * document is too large is read from the refused request itself: a `_bulk_docs` body of one document
 * answered 413 names it, whatever order the replication took.
 */
import { isRemovalMarker } from '../protocol.js';
import { SyncError, toSyncError } from './errors.js';
import type { LocalDatabase, LocalDoc } from './local.js';
import type { RemovalState } from './removal.js';

/** A document the gateway refused, with its reason. */
export interface Denied {
  readonly id: string;
  readonly reason: string;
}

/** What one push did. */
export interface PushResult {
  readonly written: number;
  readonly denied: readonly Denied[];
  /** The batch size that finally went through (smaller than asked after 413s). */
  readonly batchSize: number;
  /**
   * The local sequence this push covered: every change up to it was sent, refused (and reported) or
   * filtered out. A write after it may not have been pushed. Absent when no push ran.
   */
  readonly lastSeq?: number | string;
}

/** Where a push starts. */
export interface PushFrom {
  /** Start here instead of at the checkpoint, and move the checkpoint here first. */
  readonly since?: number | string;
  /** Push only these documents, from the start and without a checkpoint: how refused work is offered again. */
  readonly docIds?: readonly string[];
  /**
   * Documents refused already (id to the refused revision; undefined: any revision), left out so one
   * sync asks the server about each of them once: the denied list offers them again on its own.
   */
  readonly skip?: ReadonlyMap<string, string | undefined>;
}

/** The push filter: stable source text so PouchDB's replication id, and so its checkpoint, never changes. */
export function pushFilter(state: RemovalState): (doc: LocalDoc) => boolean {
  const filter = (doc: LocalDoc): boolean =>
    !doc._id.startsWith('_design/') && !isRemovalMarker(doc) && state.restored[doc._id]?.local !== doc._rev;
  filter.toString = () => 'fieldsync-push-v1';
  return filter;
}

/** The push's HTTP database on the gateway, and what the server refused of it as too large. */
export interface PushTarget {
  /** A PouchDB HTTP database of the app's own PouchDB build. */
  readonly db: unknown;
  /** The document ids of each `_bulk_docs` body answered 413, oldest first. */
  readonly refused: ReadonlyArray<readonly string[]>;
}

function idsOf(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { docs?: Array<{ _id?: unknown }> };
    return (parsed.docs ?? []).flatMap((doc) => (typeof doc._id === 'string' ? [doc._id] : []));
  } catch {
    return [];
  }
}

/** Creates the push target on `url`, noting the documents of every `_bulk_docs` body refused as too large. */
export function pushTarget(Pouch: new (name: string, options: Record<string, unknown>) => unknown, url: string, fetch: typeof globalThis.fetch): PushTarget {
  const refused: string[][] = [];
  const watching: typeof globalThis.fetch = async (input, init) => {
    const response = await fetch(input, init);
    const path = input instanceof Request ? input.url : input instanceof URL ? input.pathname : input;
    if (response.status === 413 && typeof init?.body === 'string' && /\/_bulk_docs(\?|$)/.test(path)) refused.push(idsOf(init.body));
    return response;
  };
  return { db: new Pouch(url, { fetch: watching, skip_setup: true }), refused };
}

function deniedOf(error: unknown): Denied {
  const e = error as { id?: unknown; reason?: unknown; message?: unknown };
  return { id: typeof e.id === 'string' ? e.id : '?', reason: typeof e.reason === 'string' ? e.reason : typeof e.message === 'string' ? e.message : 'forbidden' };
}

/**
 * Pushes local changes to `target` (a PouchDB HTTP database on the gateway URL). With `since`, the
 * checkpoint first moves to that sequence: how a pull's own downloads, when many lie past the
 * checkpoint, are marked as needing no push.
 */
export async function push(
  local: LocalDatabase, target: PushTarget, state: RemovalState, batchSize: number, onDenied: (denied: Denied) => void,
  from: PushFrom = {},
): Promise<PushResult> {
  const { since, docIds, skip } = from;
  let size = batchSize;
  let written = 0;
  const denied: Denied[] = [];
  // Documents the server refused as too large on their own: skipped from here on, reported as denied.
  const tooLarge = new Set<string>();
  const base = pushFilter(state);
  const skipped = (doc: LocalDoc): boolean => skip?.has(doc._id) === true && (skip.get(doc._id) ?? doc._rev) === doc._rev;
  const filter = (doc: LocalDoc): boolean => !tooLarge.has(doc._id) && !skipped(doc) && base(doc);
  filter.toString = () => base.toString();
  for (let attempt = 0; ; attempt += 1) {
    let writtenHere = 0;
    const refusedBefore = target.refused.length;
    const replication = local.replicate.to(target.db, {
      filter, batch_size: size, batches_limit: size === 1 ? 1 : 2, retry: false,
      ...(docIds ? { doc_ids: [...docIds], checkpoint: false } : since !== undefined && attempt === 0 ? { since } : {}),
    });
    replication.on('denied', (error) => {
      const entry = deniedOf(error);
      denied.push(entry);
      onDenied(entry);
    });
    replication.on('change', (info) => { writtenHere = info.docs_written; });
    try {
      const result = await replication;
      return { written: written + result.docs_written, denied, batchSize: size, ...(docIds ? {} : { lastSeq: result.last_seq }) };
    } catch (err) {
      written += writtenHere;
      const failure = toSyncError(err);
      if (failure.status !== 413) throw failure instanceof SyncError ? failure : toSyncError(err);
      // A body over the server's limit: a document refused alone is skipped and reported, and the
      // rest go on at the full batch size; a larger body halves the batch until one goes alone.
      const refused = target.refused.slice(refusedBefore).at(-1);
      const culprit = refused?.length === 1 ? refused[0] : undefined;
      if (culprit === undefined) {
        if (size > 1 && refused !== undefined) { size = Math.max(1, Math.floor(size / 2)); continue; }
        throw failure;
      }
      tooLarge.add(culprit);
      const entry = { id: culprit, reason: 'larger than the server accepts (413)' };
      denied.push(entry);
      onDenied(entry);
      size = batchSize;
    }
  }
}
