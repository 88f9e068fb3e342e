/**
 * The embedded CouchDB-compatible server: express-pouchdb (patched, see patches.ts) over PouchDB 9
 * in an Express 4 app, on loopback by default, with an admin account from the start (never an
 * "admin party"). Tests start it on a free port; `fieldsync serve` runs it persistently.
 */
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import express from 'express';
import type { Express } from 'express';
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
  /** Routes mounted before the CouchDB API (e.g. the sync gateway or static files). */
  readonly mount?: (app: MountTarget) => void;
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

async function ensureAdmin(url: string, admin: AdminCredentials): Promise<void> {
  const body = JSON.stringify(admin.password);
  const configUrl = `${url}/_config/admins/${encodeURIComponent(admin.username)}`;
  // First start: admin party, so an anonymous PUT creates the admin. Later starts of a persistent
  // server already know the admin, so the same PUT is sent with credentials.
  let res = await fetch(configUrl, { method: 'PUT', body });
  if (res.status === 401) {
    const auth = Buffer.from(`${admin.username}:${admin.password}`).toString('base64');
    res = await fetch(configUrl, { method: 'PUT', body, headers: { authorization: `Basic ${auth}` } });
  }
  if (!res.ok) throw new Error(`embedded server: could not set the admin account (${res.status} ${await res.text()})`);
}

/**
 * Starts the embedded server and returns once it listens and its admin account exists.
 * @throws when the port is in use or the admin account cannot be set.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const storage = options.storage ?? { kind: 'memory' };
  const expressPouchDB = loadPatchedExpressPouchDB() as (pouch: PouchConstructor, opts: object) => Express;
  const PouchDB = pouchFor(storage);
  const app = express();
  app.disable('x-powered-by');
  options.mount?.(app);
  app.use(expressPouchDB(PouchDB, {
    mode: 'fullCouchDB',
    inMemoryConfig: true,
    logPath: '/dev/null',
    overrideMode: { exclude: ['routes/fauxton', 'routes/replicate', 'routes/active-tasks'] },
  }));
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
    await ensureAdmin(url, options.admin);
  } catch (err) {
    await close();
    throw err;
  }
  return { url, port, admin: options.admin, close };
}
