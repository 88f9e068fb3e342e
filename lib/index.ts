/**
 * `fieldsync`: the browser-safe entry. Codecs, lineage, tasks, targets and the sync client; nothing
 * here imports nano, express or a Node built-in, so web apps and webviews can bundle it.
 * @packageDocumentation
 */
export { createConsistencyChecker, lineageIds } from './validate/consistency.js';
export type { ConsistencyChecker, ConsistencyProblem } from './validate/consistency.js';
export { generateDataSet } from './seed/dataset.js';
export type { SeedDataSet, SeedDoc, SeedOptions, SeedSize, SeedUser } from './seed/dataset.js';
export * from './sync/index.js';
export * from './cht/index.js';
export * from './lineage/index.js';
export * from './sources/index.js';
export * from './codecs/index.js';
export * from './tasks/index.js';
export * from './targets/index.js';
export * from './phr/index.js';
