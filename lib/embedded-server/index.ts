export { startEmbeddedServer } from './server.js';
export type { AdminCredentials, EmbeddedServer, EmbeddedServerOptions, EmbeddedStorage, HttpHandler, MountTarget } from './server.js';
export type { ServerFaultLog } from './errors.js';
