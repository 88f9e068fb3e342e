/** A PHR database on the test server with two app users, and the sync gateway in front of it. */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import Nano from 'nano';
import { PHR_CATALOGUE } from '../../lib/phr/index.js';
import { phrAccessRules } from '../../lib/phr/rules.js';
import { createSyncGateway, gatewayDatabase } from '../../lib/sync/gateway/index.js';
import { testCouch } from '../support/server.js';
import { phrDataSet } from './data.js';

/** What a PHR sync test needs. */
export interface PhrWorld {
  readonly url: string;
  readonly users: readonly [string, string];
  readonly docs: Array<Record<string, unknown> & { _id: string }>;
  readonly admin: Nano.DocumentScope<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Starts a PHR world: database, users (password `pw`), data, gateway. */
export async function phrWorld(): Promise<PhrWorld> {
  const couch = await testCouch();
  const db = couch.uniqueDbName('testingdb');
  const suffix = db.split('-').slice(-2).join('');
  const users = [`asha${suffix}`, `ravi${suffix}`] as const;
  const nano = Nano(couch.adminUrl);
  await nano.db.create(db);
  await nano.db.create('_users').catch(() => undefined);
  for (const name of users) await nano.use('_users').insert({ _id: `org.couchdb.user:${name}`, type: 'user', name, password: 'pw', roles: ['phr-app'] } as never);
  const docs = phrDataSet(users);
  const admin = nano.use<Record<string, unknown>>(db);
  await admin.bulk({ docs });
  const gateway = createSyncGateway({ couchUrl: couch.url, admin: couch.admin, databases: { [db]: gatewayDatabase(phrAccessRules(PHR_CATALOGUE)) }, contextTtlMs: 0 });
  await gateway.install();
  const server: Server = createServer((req, res) => gateway(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/${db}`,
    users,
    docs,
    admin,
    async stop() {
      gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await nano.db.destroy(db).catch(() => undefined);
    },
  };
}
