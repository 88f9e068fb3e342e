export { startEmbeddedServer } from './server.js';
export type { AdminCredentials, EmbeddedServer, EmbeddedServerOptions, EmbeddedStorage } from './server.js';
