/** The gateway's public configuration and the shapes an app sees: options, log entries, the handler. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CacheStats } from './bounded-cache.js';
import type { CorsOptions } from './cors.js';
import type { GatewayDatabase } from './scope.js';

/** One line of the gateway's log, for successful and aborted requests alike. */
export interface GatewayLogEntry {
  readonly user: string | undefined;
  readonly db: string | undefined;
  readonly endpoint: string;
  readonly status: number;
  readonly durationMs: number;
  /** Documents listed, sent or accepted, when the endpoint deals in documents. */
  readonly docs?: number;
  /** True when the client went away before the answer was complete. */
  readonly aborted: boolean;
}

/** Options of `createSyncGateway`. */
export interface SyncGatewayOptions {
  /** CouchDB base URL, without credentials. */
  readonly couchUrl: string;
  /** Credentials the gateway uses for CouchDB (a server admin, or an admin of each database). */
  readonly admin: { readonly username: string; readonly password: string };
  /** The databases served, by name. */
  readonly databases: Readonly<Record<string, GatewayDatabase>>;
  /** A pull list above this many docs (tasks excluded) carries a warning. Default 10,000. */
  readonly warnDocs?: number;
  /** A pull list above this many docs is refused with `too_many_docs`, before any doc is sent. */
  readonly maxDocs?: number;
  /** How long a user's context is reused by `_bulk_get` (never by ids, gone or writes). Default 5 s. */
  readonly contextTtlMs?: number;
  /**
   * How long the `_changes` feed reuses a context it computed while its change index followed the
   * database (every change that may alter the context drops it, and the index catches up before each
   * answer, so this only bounds what is held). Default 30 min.
   */
  readonly followedContextTtlMs?: number;
  /**
   * How long the pull list given to a user lets `_bulk_get` of exactly those revisions be streamed
   * from CouchDB without parsing (default 2 min). Other requests are parsed and filtered.
   */
  readonly listTtlMs?: number;
  /**
   * How long a checked `Authorization`/`Cookie` header is trusted without asking CouchDB's `_session`
   * again. Default 5 s; 0 asks every time. A changed password takes at most this long to bite.
   */
  readonly sessionTtlMs?: number;
  /** Largest request body accepted. Default 32 MiB. */
  readonly maxBodyBytes?: number;
  /** Longest `changes` wait, enforced by the gateway whatever CouchDB does. Default 25 s. */
  readonly maxWaitMs?: number;
  /** Concurrent `changes` waits one user may hold open; one more is refused with 429. Default 4. */
  readonly maxWaitsPerUser?: number;
  /**
   * Changes of each database the feed's index keeps in memory (default 20,000); a cursor older than them is
   * answered by asking CouchDB, with `fieldsync_verify`.
   */
  readonly changeWindow?: number;
  /**
   * Entries each of the gateway's caches holds at most: checked credentials, users' contexts, users' pull
   * lists and access key sets (beyond it the oldest go, and are asked of CouchDB again when needed).
   * Default: 10,000 credentials and key sets, 1,000 contexts and pull lists.
   */
  readonly maxCacheEntries?: number;
  /** Pages on other origins allowed to sync (preflights answered before authentication). Default none. */
  readonly cors?: CorsOptions;
  readonly log?: (entry: GatewayLogEntry) => void;
  /** The clock, for the log's durations and the cache. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * What a gateway holds in memory now, for monitoring: the entries of each cache with its bound (an expired
 * entry counts until the next write to its cache drops it), and the waits open. Every figure is bounded by
 * the options, never by how many users have come.
 */
export interface GatewayStats {
  /** Checked `Authorization`/`Cookie` headers, each trusted `sessionTtlMs`. */
  readonly sessions: CacheStats;
  /** Users' access contexts, each reused `contextTtlMs`. */
  readonly contexts: CacheStats;
  /** Users' last pull lists (`listTtlMs`), and the revisions in them all, at most 500,000. */
  readonly listed: CacheStats & { readonly revisions: number; readonly maxRevisions: number };
  /** The readable keys of the access digests cursors carry (they never change: evicted, never expired). */
  readonly accessKeys: CacheStats;
  /** Users with a changes wait open, and the waits open in all (at most `maxWaitsPerUser` a user). */
  readonly waits: { readonly users: number; readonly open: number };
  /** Longpolls of `_changes` waiting on the change indexes for a change of their keys. */
  readonly feedWaits: number;
}

/** The gateway: a connect-style handler, plus setup. */
export interface SyncGateway {
  (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void;
  /**
   * Installs each database's rules design doc (idempotent). Call once at start-up, and again after a
   * database was created again (a restore): the feed then forgets its signing key and index of it, so
   * cursors of the old database are refused and clients list and diff.
   */
  install(): Promise<void>;
  /** Stops following the databases' changes (started by the first `_changes` request). Call when done. */
  close(): void;
  /** What the gateway holds in memory now (read-only; nothing is computed or asked of CouchDB). */
  stats(): GatewayStats;
}
