/**
 * `fieldsync/server`: the Node-only part of fieldsync: the embedded server and the sync gateway
 * over nano. Never imported by the browser entry.
 */
export { startEmbeddedServer } from './embedded-server/index.js';
export type { AdminCredentials, EmbeddedServer, EmbeddedServerOptions, EmbeddedStorage, HttpHandler, MountTarget, ServerFaultLog } from './embedded-server/index.js';
export { createSyncGateway, gatewayDatabase } from './sync/gateway/index.js';
export type { CacheStats, CorsOptions, GatewayDatabase, GatewayLogEntry, GatewayStats, SyncGateway, SyncGatewayOptions } from './sync/gateway/index.js';
export { installShortcodeIndexNano, nanoSource } from './sources/nano.js';
export type { NanoDbLike } from './sources/nano.js';
