/** Decoding a PHR document with its collection's codec, chosen by `type`. */
import { left, right, isLeft } from '../codecs/either.js';
import { decodeWith, renderFound } from '../codecs/errors.js';
import type { Decoded } from '../codecs/errors.js';
import { PHR_CATALOGUE } from './catalogue.js';
import type { CollectionInfo, PhrCatalogue } from './catalogue.js';

/** A decoded PHR document with its collection. */
export interface DecodedPhrDoc {
  readonly collection: CollectionInfo;
  readonly doc: Readonly<Record<string, unknown>>;
}

/** Decodes any document of the PHR database; a `type` that names no collection is a problem. Never throws. */
export function decodePhrDoc(input: unknown, catalogue: PhrCatalogue = PHR_CATALOGUE): Decoded<DecodedPhrDoc> {
  const type = typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
  const collection = typeof type === 'string' ? catalogue.get(type) : undefined;
  if (!collection) {
    const id = typeof input === 'object' && input !== null ? (input as { _id?: unknown })._id : undefined;
    return left([{ kind: 'decode', ...(typeof id === 'string' ? { docId: id } : {}), path: 'type', expected: 'a PHR collection name', found: renderFound(type) }]);
  }
  const result = decodeWith(collection.codec, input);
  return isLeft(result) ? result : right({ collection, doc: result.right });
}
