/**
 * Codecs for every CHT document kind: io-ts codecs whose static types are the document types,
 * branded ids, id builders and parsers, and decode errors as values.
 * @packageDocumentation
 */
export * from './ids.js';
export * from './errors.js';
export * from './base.js';
export * from './task.js';
export * from './target.js';
