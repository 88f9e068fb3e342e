/** What every endpoint module receives: the request's scope, the HTTP pair and the gateway's shared parts. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessKeyStore } from './access-keys.js';
import type { ChangeIndexes } from './change-indexes.js';
import type { GatewayCouch } from './couch.js';
import type { ContextCache } from './contexts.js';
import type { ListedRevisions } from './listed.js';
import type { RequestScope } from './scope.js';
import type { WaitSlots } from './wait-slots.js';

/** The gateway's limits, with defaults applied. */
export interface GatewayLimits {
  readonly warnDocs: number;
  readonly maxDocs: number | undefined;
  readonly bodyBytes: number;
  readonly waitMs: number;
  readonly waitsPerUser: number;
}

/** What the gateway shares with its endpoints. */
export interface GatewayParts {
  readonly couch: GatewayCouch;
  readonly limits: GatewayLimits;
  readonly contexts: ContextCache;
  readonly listed: ListedRevisions;
  readonly waits: WaitSlots;
  /** The change index of each database, for the feed. */
  readonly indexes: ChangeIndexes;
  /** The feed's signing keys and access digests, stored in CouchDB. */
  readonly store: AccessKeyStore;
}

/** One endpoint: answers the request or throws a `GatewayError`. */
export type Endpoint = (scope: RequestScope, req: IncomingMessage, res: ServerResponse, parts: GatewayParts, query: URLSearchParams) => Promise<void>;
