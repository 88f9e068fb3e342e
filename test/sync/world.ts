/**
 * A sync world for tests: a CHT data set in a fresh database of the test server, its users in
 * `_users`, and the sync gateway in front of it on its own loopback port (so a test can kill it).
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import Nano from 'nano';
import { generateDataSet } from '../../lib/seed/dataset.js';
import type { SeedDataSet, SeedSize, SeedUser } from '../../lib/seed/dataset.js';
import { chtAccessRules } from '../../lib/cht/rules.js';
import type { ChtRulesOptions } from '../../lib/cht/rules.js';
import { createSyncGateway, gatewayDatabase } from '../../lib/sync/gateway/index.js';
import type { GatewayLogEntry, SyncGateway, SyncGatewayOptions } from '../../lib/sync/gateway/index.js';
import { createSyncClient } from '../../lib/sync/client/index.js';
import { memoryPouch } from '../support/pouch.js';
import { testCouch } from '../support/server.js';
import type { TestCouch } from '../support/server.js';

/** A running sync world. */
export interface SyncWorld {
  readonly couch: TestCouch;
  readonly db: string;
  readonly data: SeedDataSet;
  /** The gateway URL of the database, e.g. http://127.0.0.1:1234/medic-x. */
  readonly url: string;
  readonly admin: Nano.DocumentScope<Record<string, unknown>>;
  readonly log: GatewayLogEntry[];
  /** The gateway handler itself, for a test that serves it from its own server. */
  readonly gateway: SyncGateway;
  user(name: string): SeedUser;
  /** Closes the gateway and every open connection at once, as a crash would. */
  kill(): Promise<void>;
  /** Starts the gateway again on the same port. */
  revive(): Promise<void>;
  stop(): Promise<void>;
}

const NOW = Date.UTC(2026, 10, 1);

/** Builds a world of the given seed size with fresh database and user names. */
export async function syncWorld(options: { size?: SeedSize; rules?: ChtRulesOptions; maxDocs?: number; warnDocs?: number; maxBodyBytes?: number; cors?: SyncGatewayOptions['cors'] } = {}): Promise<SyncWorld> {
  const couch = await testCouch();
  const db = couch.uniqueDbName('sync');
  const suffix = db.split('-').slice(-2).join('');
  const base = generateDataSet({ size: options.size ?? 'small', seed: 7, now: NOW });
  // Unique user names per world: users live in the shared _users database.
  const rename = (name: string): string => `${name}x${suffix}`;
  const data: SeedDataSet = {
    medic: base.medic.map((doc) => doc.type === 'user-settings'
      ? { ...doc, _id: `org.couchdb.user:${rename(String(doc.name))}`, name: rename(String(doc.name)) }
      : doc),
    users: base.users.map((doc) => ({ ...doc, _id: `org.couchdb.user:${rename(String(doc.name))}`, name: rename(String(doc.name)) })),
    credentials: base.credentials.map((c) => ({ ...c, name: rename(c.name) })),
  };
  const nano = Nano(couch.adminUrl);
  await nano.db.create(db);
  await nano.db.create('_users').catch(() => undefined);
  const admin = nano.use<Record<string, unknown>>(db);
  await admin.bulk({ docs: data.medic as Array<Record<string, unknown> & { _id: string }> });
  const users = nano.use<Record<string, unknown>>('_users');
  for (const user of data.users) await users.insert(user);

  const log: GatewayLogEntry[] = [];
  const gateway: SyncGateway = createSyncGateway({
    couchUrl: couch.url,
    admin: couch.admin,
    databases: { [db]: gatewayDatabase(chtAccessRules(options.rules)) },
    contextTtlMs: 0,
    ...(options.maxDocs !== undefined ? { maxDocs: options.maxDocs } : {}),
    ...(options.warnDocs !== undefined ? { warnDocs: options.warnDocs } : {}),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.cors ? { cors: options.cors } : {}),
    log: (entry) => log.push(entry),
  });
  await gateway.install();

  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let port = 0;
  const listen = async (): Promise<void> => {
    server = createServer((req, res) => gateway(req, res));
    server.on('connection', (socket) => { sockets.add(socket); socket.once('close', () => sockets.delete(socket)); });
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  };
  await listen();
  const kill = async (): Promise<void> => {
    const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closing;
  };
  return {
    couch, db, data, admin, log, gateway,
    url: `http://127.0.0.1:${port}/${encodeURIComponent(db)}`,
    user(name) {
      const found = data.credentials.find((c) => c.name.startsWith(`${name}x`));
      if (!found) throw new Error(`no user ${name} in the data set`);
      return found;
    },
    kill,
    revive: listen,
    async stop() {
      gateway.close();
      await kill();
      await nano.db.destroy(db).catch(() => undefined);
    },
  };
}

/**
 * A world whose server views are already built: one sync of `chw11` runs first (the first pull list
 * builds them, slowly on a loaded machine), so the tests meet warm answers and their bounds measure
 * what they are about.
 */
export async function warmSyncWorld(options: Parameters<typeof syncWorld>[0] = {}): Promise<SyncWorld> {
  const world = await syncWorld(options);
  const me = world.user('chw11');
  await createSyncClient({ local: memoryPouch(), url: world.url, auth: { username: me.name, password: me.password } }).sync();
  return world;
}
