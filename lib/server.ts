/**
 * `fieldsync/server`: the Node-only part of fieldsync (the embedded server, and later the sync
 * gateway over nano). Never imported by the browser entry.
 */
export { startEmbeddedServer } from './embedded-server/index.js';
export type { AdminCredentials, EmbeddedServer, EmbeddedServerOptions, EmbeddedStorage, HttpHandler, MountTarget } from './embedded-server/index.js';
