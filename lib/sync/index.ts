/**
 * Sync: the access-rule port, the wire protocol and the client. The gateway (Node only)
 * is exported from `fieldsync/server`.
 */
export * from './rules.js';
export * from './protocol.js';
export * from './digest.js';
export * from './client/index.js';
