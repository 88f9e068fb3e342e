/**
 * Which leaves of conflicted documents a user may read. The rules file a document by its winning revision;
 * every other leaf is a version of its own (it may name another facility's parent), so it is read and judged
 * by its own body. Conflicts are rare: one `_bulk_get` per 500 leaves, only when there are any.
 */
import { batches } from '../protocol.js';
import type { AnyDoc } from '../rules.js';
import { isBareTombstone, visible } from './contexts.js';
import type { GatewayCouch } from './couch.js';
import type { RequestScope } from './scope.js';

/** Leaves read from CouchDB per request. */
const LEAVES_PER_REQUEST = 500;

/** What a leaf must be to be shown. */
export interface LeafOptions {
  /**
   * Also show a deleted leaf that carries nothing but its id and revision (how a conflict is resolved:
   * the device that holds the losing leaf must learn it is gone); `_bulk_get` answers it to whoever names it.
   */
  readonly tombstones: boolean;
}

/** Of `wanted` (revisions by id), the ones the user may read, by id; a leaf CouchDB does not have is left out. */
export async function visibleLeaves(
  scope: RequestScope, couch: GatewayCouch, readable: ReadonlySet<string>, wanted: ReadonlyMap<string, readonly string[]>, options: LeafOptions,
): Promise<Map<string, Set<string>>> {
  const shown = new Map<string, Set<string>>();
  const docs = [...wanted].flatMap(([id, revs]) => revs.map((rev) => ({ id, rev })));
  for (const part of batches(docs, LEAVES_PER_REQUEST)) {
    const answer = (await couch.request(scope.db, 'POST', '_bulk_get', undefined, { docs: part })) as {
      results: Array<{ id: string; docs: Array<{ ok?: AnyDoc }> }>;
    };
    for (const result of answer.results) {
      for (const { ok } of result.docs) {
        if (!ok?._rev || ok._id !== result.id || !wanted.get(ok._id)?.includes(ok._rev)) continue;
        const readableLeaf = ok._deleted !== true ? visible(scope, readable, ok)
          : options.tombstones && (isBareTombstone(ok) || visible(scope, readable, ok));
        if (!readableLeaf) continue;
        const revs = shown.get(ok._id) ?? new Set<string>();
        revs.add(ok._rev);
        shown.set(ok._id, revs);
      }
    }
  }
  return shown;
}
