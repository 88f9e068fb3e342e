/**
 * `fieldsync`: the browser-safe entry. Codecs, lineage, tasks, targets, the PHR collections and the
 * sync client; nothing here imports nano, express or a Node built-in, so web apps and webviews can
 * bundle it. What only a server runs (the access rules a gateway enforces, their design docs, the
 * data set generator) is in `fieldsync/server`, so a page does not carry it.
 * @packageDocumentation
 */
export { createConsistencyChecker, lineageIds } from './validate/consistency.js';
export type { ConsistencyChecker, ConsistencyProblem } from './validate/consistency.js';
export * from './sync/index.js';
export * from './lineage/index.js';
export * from './sources/index.js';
export * from './codecs/index.js';
export * from './tasks/index.js';
export * from './targets/index.js';
export * from './phr/index.js';
