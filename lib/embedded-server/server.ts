/**
 * The embedded CouchDB-compatible server: express-pouchdb (patched, see patches.ts) over PouchDB 9
 * in an Express 4 app, on loopback by default, with an admin account before it listens (never an
 * "admin party"). Its CouchDB API answers server admins only (admin-gate.ts); devices reach the
 * routes `mount` adds (the sync gateway). Tests start it on a free port; `fieldsync serve` runs it
 * persistently.
 */
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import express from 'express';
import type { Express } from 'express';
import { adminGate, notSupported } from './admin-gate.js';
import { couchErrorHandler } from './errors.js';
import type { ServerFaultLog } from './errors.js';
import { loadPatchedExpressPouchDB } from './patches.js';

/** Credentials of the server admin. */
export interface AdminCredentials {
  readonly username: string;
  readonly password: string;
}

/** Where the server keeps its databases. */
export type EmbeddedStorage =
  | { readonly kind: 'memory'; /** Keeps the databases of two in-process servers apart. */ readonly namespace?: string }
  | { readonly kind: 'leveldb'; readonly dir: string };

/** A connect-style request handler (what Express, and the sync gateway, are). */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Where extra routes are mounted: the server's Express app, seen through what mounting needs. */
export interface MountTarget {
  use(path: string, ...handlers: HttpHandler[]): unknown;
  use(...handlers: HttpHandler[]): unknown;
}

/** Options of {@link startEmbeddedServer}. */
export interface EmbeddedServerOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to listen on; loopback by default. */
  readonly host?: string;
  readonly admin: AdminCredentials;
  readonly storage?: EmbeddedStorage;
  /**
   * Routes mounted before the CouchDB API (e.g. the sync gateway or static files). They are open
   * to anybody; the CouchDB API behind them answers server admins only.
   */
  readonly mount?: (app: MountTarget) => void;
  /** Where a fault of the server (an answer 500) is reported; default one line on stderr. */
  readonly onServerFault?: ServerFaultLog;
}

/** A running embedded server. */
export interface EmbeddedServer {
  /** Base URL without credentials and without a trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly admin: AdminCredentials;
  /** Stops listening, drops open connections (longpolls included) and waits for the close. */
  close(): Promise<void>;
}

/** The PouchDB constructor handed to express-pouchdb (opaque here: only express-pouchdb uses it). */
type PouchConstructor = PouchDB.Static;

let memoryServers = 0;

function pouchFor(storage: EmbeddedStorage): PouchConstructor {
  const require = createRequire(import.meta.url);
  // The Node build of pouchdb already carries the leveldb and http adapters, map/reduce and replication.
  const PouchDB = require('pouchdb') as PouchConstructor;
  PouchDB.plugin(require('pouchdb-find'));
  if (storage.kind === 'memory') {
    PouchDB.plugin(require('pouchdb-adapter-memory'));
    memoryServers += 1;
    const namespace = storage.namespace ?? `embedded-${process.pid}-${memoryServers}`;
    return PouchDB.defaults({ adapter: 'memory', prefix: `${namespace}/` }) as PouchConstructor;
  }
  mkdirSync(storage.dir, { recursive: true });
  return PouchDB.defaults({ adapter: 'leveldb', prefix: `${storage.dir.replace(/\/$/, '')}/` }) as PouchConstructor;
}

/** What the express-pouchdb app offers beyond Express. */
interface PouchApp extends Express {
  readonly couchConfig: { set(section: string, key: string, value: string, cb: (err?: unknown) => void): void };
}

/** Sets the admin in the in-memory config, so the server never listens in "admin party". */
function setAdmin(app: PouchApp, admin: AdminCredentials): Promise<void> {
  return new Promise((resolve, reject) => {
    app.couchConfig.set('admins', admin.username, admin.password, (err) => (err ? reject(err instanceof Error ? err : new Error('embedded server: could not set the admin account')) : resolve()));
  });
}

async function checkAdmin(url: string, admin: AdminCredentials): Promise<void> {
  const auth = Buffer.from(`${admin.username}:${admin.password}`).toString('base64');
  const res = await fetch(`${url}/_session`, { headers: { authorization: `Basic ${auth}` } });
  const body = (await res.json().catch(() => ({}))) as { userCtx?: { roles?: string[] } };
  if (!body.userCtx?.roles?.includes('_admin')) throw new Error(`embedded server: the admin account does not work (${res.status})`);
}

function logFault(error: unknown, request: { method: string; url: string }): void {
  process.stderr.write(`embedded server: ${request.method} ${request.url} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
}

/**
 * Starts the embedded server and returns once it listens and its admin account exists.
 * @throws when the port is in use or the admin account cannot be set.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const storage = options.storage ?? { kind: 'memory' };
  const expressPouchDB = loadPatchedExpressPouchDB() as (pouch: PouchConstructor, opts: object) => PouchApp;
  const PouchDB = pouchFor(storage);
  const app = express();
  app.disable('x-powered-by');
  options.mount?.(app);
  let gated = false;
  const couchApi = expressPouchDB(PouchDB, {
    mode: 'fullCouchDB',
    inMemoryConfig: true,
    logPath: '/dev/null',
    // No Fauxton, and no server-side replication: its daemon crashed the process on a failing job.
    overrideMode: { exclude: ['routes/fauxton', 'routes/replicate', 'routes/active-tasks', 'replicator'] },
    // Called by the patched express-pouchdb right after its authentication middleware.
    afterAuthentication: (pouchApp: Express) => {
      pouchApp.use(adminGate);
      pouchApp.use('/_replicator', notSupported('Server-side replication (_replicator)') as unknown as HttpHandler);
      gated = true;
    },
  });
  if (!gated) throw new Error('embedded server: the admin gate was not installed');
  couchApi.disable('x-powered-by');
  await setAdmin(couchApi, options.admin);
  app.use(couchApi);
  app.use(couchErrorHandler(options.onServerFault ?? logFault));
  const host = options.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const close = (): Promise<void> => new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
  try {
    await checkAdmin(url, options.admin);
  } catch (err) {
    await close();
    throw err;
  }
  return { url, port, admin: options.admin, close };
}
