/** The server side of sync (Node only): the gateway an app mounts in front of CouchDB. */
export { createSyncGateway, gatewayDatabase } from './handler.js';
export type { CacheStats, CorsOptions, GatewayDatabase, GatewayLogEntry, GatewayStats, SyncGateway, SyncGatewayOptions } from './handler.js';
