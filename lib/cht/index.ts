/**
 * The CHT access rules for the sync engine: where each CHT document is filed for replication, what a
 * user reads and writes, and the design doc (views and `validate_doc_update`) the gateway installs.
 */
export * from './keys.js';
export { chtAccessRules } from './rules.js';
export type { ChtRulesOptions } from './rules.js';
export type { ChtContext } from './context.js';
export type { ChtFacts } from './facts.js';
export { chtDesignDoc, CHT_DESIGN_ID } from './design.js';
