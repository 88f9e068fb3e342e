/**
 * Codecs for every CHT document kind: io-ts codecs whose static types are the document types,
 * branded ids, id builders and parsers, and decode errors as values.
 * @packageDocumentation
 */
export * from './ids.js';
export * from './errors.js';
export * from './base.js';
export * from './combinators.js';
export * from './hierarchy.js';
export * from './lineage.js';
export * from './contact.js';
export * from './report.js';
export * from './form.js';
export * from './user.js';
export * from './task.js';
export * from './target.js';
export * from './decode.js';
