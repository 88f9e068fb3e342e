/**
 * minify: the stored form of a contact or report. Pure: returns a new document and never touches
 * its input. The parent chain becomes ids only; a report's or place's `contact` becomes `{_id,
 * parent}` ids; `linked_docs` values become id strings (entries without an id are dropped, as in
 * cht-core); a report's hydrated-only `patient` and
 * `place` are dropped.
 */
import { isContact, isObject, isReport, linkedDocs, refId } from './shapes.js';
import type { Json } from './shapes.js';

/** Minified chains longer than this are cut: deeper than any real hierarchy, so a sign of a cycle. */
export const MINIFY_DEPTH_LIMIT = 100;

/** Thrown by {@link minifyLineage} for a chain deeper than {@link MINIFY_DEPTH_LIMIT}. */
export class LineageTooDeepError extends Error {
  override readonly name = 'LineageTooDeepError';
  constructor(readonly docId: string | undefined) {
    super(`lineage of ${docId ?? 'a document'} is deeper than ${MINIFY_DEPTH_LIMIT} levels (a cycle?)`);
  }
}

/** A minified chain: ids only, all the way up. */
export interface MinifiedRef {
  readonly _id: string;
  readonly parent?: MinifiedRef;
}

/**
 * Minifies one chain. A value without `_id` is returned as it is (nothing to minify).
 * @throws LineageTooDeepError beyond {@link MINIFY_DEPTH_LIMIT} levels.
 */
export function minifyLineage(ref: unknown, docId?: string): unknown {
  if (!isObject(ref) || typeof ref['_id'] !== 'string') return ref;
  const ids: string[] = [];
  let current: unknown = ref;
  while (isObject(current) && typeof current['_id'] === 'string') {
    if (ids.length === MINIFY_DEPTH_LIMIT) throw new LineageTooDeepError(docId);
    ids.push(current['_id']);
    current = current['parent'];
  }
  let minified: MinifiedRef | undefined;
  for (let i = ids.length - 1; i >= 0; i -= 1) {
    const id = ids[i] as string;
    minified = minified ? { _id: id, parent: minified } : { _id: id };
  }
  return minified;
}

/**
 * Returns the stored form of `doc` (a new object; `doc` is never modified).
 * @throws LineageTooDeepError when a chain is deeper than {@link MINIFY_DEPTH_LIMIT}.
 */
export function minify<T extends object>(input: T): T {
  // Any object: PouchDB's document types are interfaces without an index signature.
  const doc = input as Json;
  const id = typeof doc['_id'] === 'string' ? doc['_id'] : undefined;
  const out: Record<string, unknown> = { ...doc };
  if ('parent' in doc) out['parent'] = minifyLineage(doc['parent'], id);
  const contact = doc['contact'];
  if (isObject(contact) && typeof contact['_id'] === 'string') {
    out['contact'] = 'parent' in contact
      ? { _id: contact['_id'], parent: minifyLineage(contact['parent'], id) }
      : { _id: contact['_id'] };
  }
  if (isReport(doc)) {
    delete out['patient'];
    delete out['place'];
  }
  const links = linkedDocs(doc);
  if (links && isContact(doc)) {
    // An entry that names no id is dropped, as cht-core's minify leaves it undefined.
    out['linked_docs'] = Object.fromEntries(Object.entries(links).flatMap(([tag, ref]) => {
      const id = refId(ref);
      return id === undefined ? [] : [[tag, id]];
    }));
  }
  return out as T;
}
