/**
 * Sync: the access-rule port, the CHT rules, the wire protocol and the client. The gateway (Node only)
 * is exported from `fieldsync/server`.
 */
export * from './rules.js';
export * from './cht-keys.js';
export { chtAccessRules } from './cht-rules.js';
export type { ChtContext, ChtRulesOptions } from './cht-rules.js';
export { chtDesignDoc, CHT_DESIGN_ID } from './cht-design.js';
export * from './protocol.js';
export * from './client/index.js';
