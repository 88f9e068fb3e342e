/**
 * The PHR database (`testingdb`): the collection catalogue with each collection's sync policy,
 * codecs, and the access rules the sync gateway enforces for it.
 */
export { COMMON_COLLECTIONS, PHR_CATALOGUE, PHR_DATABASE, phrCatalogue, phrDocId } from './catalogue.js';
export type { CollectionInfo, PhrCatalogue, PolicyOverride, SyncPolicy } from './catalogue.js';
export { collectionCodec, IsoDateTime, OrderLine, PhrTime, phrBase } from './codecs.js';
export { decodePhrDoc } from './decode.js';
export type { DecodedPhrDoc } from './decode.js';
export { phrDesignDoc, PHR_DESIGN_ID } from './design.js';
export { CATALOGUE_KEY, ownerKey, phrAccessRules, phrReplicationKeys } from './rules.js';
export type { PhrContext, PhrRulesOptions } from './rules.js';
