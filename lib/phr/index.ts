/**
 * The PHR database (`testingdb`) on a device: the collection catalogue with each collection's sync
 * policy, and the codecs. The access rules the sync gateway enforces for it (`rules.ts`, `design.ts`)
 * are exported from `fieldsync/server`.
 */
export { COMMON_COLLECTIONS, PHR_CATALOGUE, PHR_DATABASE, phrCatalogue, phrDocId } from './catalogue.js';
export type { CollectionInfo, PhrCatalogue, PolicyOverride, SyncPolicy } from './catalogue.js';
export { collectionCodec, IsoDateTime, OrderLine, PhrTime, phrBase } from './codecs.js';
export { decodePhrDoc } from './decode.js';
export type { DecodedPhrDoc } from './decode.js';
