/**
 * The small CHT world of the model-based test: one district with two areas (health centres), a
 * household and a patient in each, a CHW per area and a supervisor over the district. Users live in
 * the shared `_users` database and are created once per process; each run gets a fresh database and
 * its own gateway on its own loopback port, so a command can kill it.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import Nano from 'nano';
import { chtAccessRules } from '../../lib/cht/rules.js';
import { createSyncGateway, gatewayDatabase } from '../../lib/sync/gateway/index.js';
import type { AnyDoc } from '../../lib/sync/rules.js';
import { testCouch } from '../support/server.js';
import type { TestCouch } from '../support/server.js';

/** The users of the world, by role in it. */
export const USER_KEYS = ['chwA', 'chwB', 'sup'] as const;
export type UserKey = (typeof USER_KEYS)[number];

/** Places a user can be assigned to. */
export const AREAS = ['hcA', 'hcB'] as const;
export const DISTRICT = 'd1';

/** A CouchDB user of the world. */
export interface ModelUser {
  readonly key: UserKey;
  readonly name: string;
  readonly password: string;
  readonly contactId: string;
  readonly roles: readonly string[];
  /** Facilities at the start of every run. */
  readonly facilities: readonly string[];
}

/** One run's database and gateway. */
export interface ModelWorld {
  readonly couch: TestCouch;
  readonly db: string;
  readonly url: string;
  readonly admin: Nano.DocumentScope<Record<string, unknown>>;
  readonly users: Readonly<Record<UserKey, ModelUser>>;
  readonly up: boolean;
  kill(): Promise<void>;
  revive(): Promise<void>;
  stop(): Promise<void>;
}

const place = (id: string, type: string, parent?: AnyDoc['parent']): AnyDoc => ({ _id: id, type, name: id, reported_date: 1, ...(parent ? { parent } : {}) });
const d1 = { _id: DISTRICT };
const under = (id: string): Record<string, unknown> => ({ _id: id, parent: d1 });

/** The documents every run starts with. */
export function initialDocs(users: Readonly<Record<UserKey, ModelUser>>): AnyDoc[] {
  const settings = Object.values(users).map((u) => ({
    _id: `org.couchdb.user:${u.name}`, type: 'user-settings', name: u.name, roles: u.roles, facility_id: u.facilities, contact_id: u.contactId,
  }));
  return [
    place(DISTRICT, 'district_hospital'),
    place('hcA', 'health_center', d1), place('hcB', 'health_center', d1),
    place('clA', 'clinic', under('hcA')), place('clB', 'clinic', under('hcB')),
    { ...place('pA', 'person', { _id: 'clA', parent: under('hcA') }), patient_id: '1001' },
    { ...place('pB', 'person', { _id: 'clB', parent: under('hcB') }), patient_id: '1002' },
    place('chwA', 'person', under('hcA')), place('chwB', 'person', under('hcB')), place('sup', 'person', d1),
    { _id: 'rA', type: 'data_record', form: 'home_visit', reported_date: 2, fields: { patient_uuid: 'pA' }, contact: { _id: 'chwA' } },
    { _id: 'rB', type: 'data_record', form: 'home_visit', reported_date: 2, fields: { patient_id: '1002' }, contact: { _id: 'chwB' } },
    { _id: 'form:home_visit', type: 'form', internalId: 'home_visit' },
    ...settings,
  ];
}

let created: Promise<Record<UserKey, ModelUser>> | undefined;

async function createUsers(couch: TestCouch): Promise<Record<UserKey, ModelUser>> {
  const suffix = couch.uniqueDbName('m').replace(/[^a-z0-9]/g, '');
  const make = (key: UserKey, roles: string[], contactId: string, facilities: string[]): ModelUser =>
    ({ key, name: `${key.toLowerCase()}${suffix}`, password: `pw-${key}-${suffix}`, roles, contactId, facilities });
  const users = {
    chwA: make('chwA', ['chw'], 'chwA', ['hcA']),
    chwB: make('chwB', ['chw'], 'chwB', ['hcB']),
    sup: make('sup', ['supervisor'], 'sup', [DISTRICT]),
  };
  const nano = Nano(couch.adminUrl);
  await nano.db.create('_users').catch(() => undefined);
  const store = nano.use<Record<string, unknown>>('_users');
  for (const u of Object.values(users)) {
    await store.insert({ _id: `org.couchdb.user:${u.name}`, name: u.name, type: 'user', roles: [...u.roles], password: u.password });
  }
  return users;
}

/** A fresh database with the initial documents and a gateway in front of it. */
export async function openWorld(): Promise<ModelWorld> {
  const couch = await testCouch();
  created ??= createUsers(couch);
  const users = await created;
  const db = couch.uniqueDbName('model');
  const nano = Nano(couch.adminUrl);
  await nano.db.create(db);
  const admin = nano.use<Record<string, unknown>>(db);
  await admin.bulk({ docs: initialDocs(users) as Array<Record<string, unknown> & { _id: string }> });
  const gateway = createSyncGateway({ couchUrl: couch.url, admin: couch.admin, databases: { [db]: gatewayDatabase(chtAccessRules()) }, contextTtlMs: 0 });
  await gateway.install();

  let server: Server | undefined;
  let port = 0;
  let up = false;
  const sockets = new Set<Socket>();
  const revive = async (): Promise<void> => {
    if (up) return;
    // No keep-alive: after a kill, a pooled socket the client has not yet seen closed would fail the
    // first request after the revive, depending on timing.
    const next = createServer((req, res) => { res.setHeader('connection', 'close'); gateway(req, res); });
    next.on('connection', (socket) => { sockets.add(socket); socket.once('close', () => sockets.delete(socket)); });
    await new Promise<void>((resolve) => next.listen(port, '127.0.0.1', resolve));
    port = (next.address() as { port: number }).port;
    server = next;
    up = true;
  };
  const kill = async (): Promise<void> => {
    if (!up || !server) return;
    up = false;
    const current = server;
    const closing = new Promise<void>((resolve) => current.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closing;
  };
  await revive();
  return {
    couch, db, admin, users,
    url: `http://127.0.0.1:${port}/${encodeURIComponent(db)}`,
    get up() { return up; },
    kill,
    revive,
    async stop() {
      gateway.close();
      await kill();
      await nano.db.destroy(db).catch(() => undefined);
    },
  };
}
