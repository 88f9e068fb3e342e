/**
 * `fieldsync/server`: what a server runs: the embedded server, the sync gateway over nano, the access
 * rules it enforces (CHT, PHR) with their design docs, and the data set generator. Never imported by
 * the browser entry.
 */
export { startEmbeddedServer } from './embedded-server/index.js';
export type { AdminCredentials, EmbeddedServer, EmbeddedServerOptions, EmbeddedStorage, HttpHandler, MountTarget, ServerFaultLog } from './embedded-server/index.js';
export { createSyncGateway, gatewayDatabase } from './sync/gateway/index.js';
export type { CacheStats, CorsOptions, GatewayDatabase, GatewayLogEntry, GatewayStats, SyncGateway, SyncGatewayOptions } from './sync/gateway/index.js';
export { installShortcodeIndexNano, nanoSource } from './sources/nano.js';
export type { NanoDbLike } from './sources/nano.js';
export * from './cht/index.js';
export { phrDesignDoc, PHR_DESIGN_ID } from './phr/design.js';
export { CATALOGUE_KEY, ownerKey, phrAccessRules, phrReplicationKeys } from './phr/rules.js';
export type { PhrContext, PhrRulesOptions } from './phr/rules.js';
export { generateDataSet } from './seed/dataset.js';
export type { SeedDataSet, SeedDoc, SeedOptions, SeedSize, SeedUser } from './seed/dataset.js';
