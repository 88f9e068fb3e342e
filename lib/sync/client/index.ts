/** The client side of sync: runs in browsers, webviews and Node over any PouchDB. */
export { createSyncClient } from './client.js';
export type { SyncClient, SyncClientOptions, SyncEvents, SyncResult, SyncState, VerifyResult } from './client.js';
export { SyncError, toSyncError } from './errors.js';
export type { SyncErrorKind } from './errors.js';
export type { LocalDatabase, LocalDoc, LocalReplication } from './local.js';
export type { DeniedDoc, QuarantinedDoc } from './held.js';
export type { PullResult } from './pull.js';
export type { Unwritten } from './removal.js';
export type { Denied, PushResult } from './push.js';
export type { RemoteOptions } from './remote.js';
