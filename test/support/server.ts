/**
 * The CouchDB every server test talks to: the embedded server started once per mocha run on a
 * free loopback port, or the Apache CouchDB named by COUCH_URL (credentials in the URL).
 */
import { randomBytes } from 'node:crypto';
import { startEmbeddedServer } from '../../lib/embedded-server/index.js';
import type { AdminCredentials, EmbeddedServer } from '../../lib/embedded-server/index.js';
import { PouchDB } from './pouch.js';

/** What a test needs to reach the server. */
export interface TestCouch {
  /** Base URL, no credentials, no trailing slash. */
  readonly url: string;
  readonly admin: AdminCredentials;
  /** True when the tests run against the embedded server (not COUCH_URL). */
  readonly embedded: boolean;
  /** The running embedded server, when embedded. */
  readonly server?: EmbeddedServer;
  dbUrl(name: string): string;
  /** An http PouchDB for `name`, authenticated as the admin. */
  adminPouch<T extends object = object>(name: string): PouchDB.Database<T>;
  /** A database name no other test uses. */
  uniqueDbName(prefix: string): string;
  /** Basic authorization header value for the admin. */
  readonly adminAuthHeader: string;
  /** The base URL with the admin's credentials in it (for nano and the CLI). */
  readonly adminUrl: string;
}

/** `url` with `username` and `password` in it, without a trailing slash. */
export function withCredentials(url: string, username: string, password: string): string {
  const u = new URL(url);
  u.username = username;
  u.password = password;
  return u.toString().replace(/\/$/, '');
}

let shared: Promise<TestCouch> | undefined;
let counter = 0;

function describeCouch(url: string, admin: AdminCredentials, server?: EmbeddedServer): TestCouch {
  const base = url.replace(/\/+$/, '');
  const runId = randomBytes(3).toString('hex');
  return {
    url: base,
    admin,
    embedded: server !== undefined,
    ...(server ? { server } : {}),
    dbUrl: (name) => `${base}/${encodeURIComponent(name)}`,
    adminPouch: <T extends object>(name: string) =>
      new PouchDB<T>(`${base}/${encodeURIComponent(name)}`, { auth: { username: admin.username, password: admin.password } }),
    uniqueDbName: (prefix) => {
      counter += 1;
      return `${prefix.toLowerCase().replace(/[^a-z0-9_$()+/-]/g, '-')}-${runId}-${counter}`;
    },
    adminAuthHeader: `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}`,
    adminUrl: withCredentials(base, admin.username, admin.password),
  };
}

async function start(): Promise<TestCouch> {
  const external = process.env['COUCH_URL'];
  if (external) {
    const parsed = new URL(external);
    const admin = { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
    parsed.username = '';
    parsed.password = '';
    return describeCouch(parsed.toString(), admin);
  }
  const admin = { username: 'admin', password: randomBytes(12).toString('hex') };
  const server = await startEmbeddedServer({ admin, storage: { kind: 'memory' } });
  return describeCouch(server.url, admin, server);
}

/** The shared test server, started on first use. */
export function testCouch(): Promise<TestCouch> {
  shared ??= start();
  return shared;
}

/** Stops the shared embedded server, if one was started (called once after the whole run). */
export async function stopTestCouch(): Promise<void> {
  if (!shared) return;
  const couch = await shared;
  shared = undefined;
  await couch.server?.close();
}
