/** Helpers of the data-safety tests: hooks on a device's database and fetch, and a few queries. */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { chtAccessRules } from '../../lib/cht/rules.js';
import { createSyncClient } from '../../lib/sync/client/index.js';
import type { SyncClient } from '../../lib/sync/client/index.js';
import { createSyncGateway, gatewayDatabase } from '../../lib/sync/gateway/index.js';
import type { SeedUser } from '../../lib/seed/dataset.js';
import { memoryPouch } from '../support/pouch.js';
import { expectedIds } from './expected.js';
import type { SyncWorld } from './world.js';

type Db = PouchDB.Database<Record<string, unknown>>;
type Fetch = typeof fetch;

/** A device: its database and client; `beforeFetch` runs before each request (a hook for tests). */
export interface Device {
  readonly local: Db;
  readonly client: SyncClient;
  beforeFetch?: (url: string, init: RequestInit | undefined) => Promise<void> | void;
  /** Rewrites each request's URL (to send it to another gateway). */
  rewrite?: (url: string) => string;
}

/** A device of `user` on the world's gateway. */
export function device(world: SyncWorld, user: SeedUser, local: Db = memoryPouch<Record<string, unknown>>()): Device {
  const hooks: { beforeFetch?: Device['beforeFetch']; rewrite?: Device['rewrite'] } = {};
  const hooked: Fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    await hooks.beforeFetch?.(url, init);
    return fetch(hooks.rewrite ? hooks.rewrite(url) : url, init);
  };
  const client = createSyncClient({ local, url: world.url, auth: { username: user.name, password: user.password }, fetch: hooked });
  return {
    local, client,
    get beforeFetch() { return hooks.beforeFetch; },
    set beforeFetch(f) { hooks.beforeFetch = f; },
    get rewrite() { return hooks.rewrite; },
    set rewrite(f) { hooks.rewrite = f; },
  };
}

/** A visit report by `user` (filed under their own contact, so they may write and read it). */
export function report(user: SeedUser, id: string, fields: Record<string, unknown> = {}): Record<string, unknown> & { _id: string } {
  return { _id: id, type: 'data_record', form: 'home_visit', reported_date: 1, contact: { _id: user.contactId }, fields };
}

/** The server's copy of `id`, or undefined. */
export async function onServer(world: SyncWorld, id: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await world.admin.fetch({ keys: [id] });
  const [row] = rows;
  return row && 'doc' in row && row.doc ? row.doc : undefined;
}

/** Moves a user to another facility on the server (a revoke of their old area, a grant of the new). */
export async function moveUser(world: SyncWorld, name: string, facilityId: string): Promise<void> {
  const settings = await world.admin.get(`org.couchdb.user:${name}`);
  await world.admin.insert({ ...settings, facility_id: facilityId });
}

/** Ids `user` sees at home and loses by a move to `elsewhere`, persons first. */
export function lostByMove(world: SyncWorld, user: SeedUser, elsewhere: string): string[] {
  const mine = expectedIds(world.data.medic, user);
  const theirs = expectedIds(world.data.medic, user, elsewhere);
  const typeOf = (id: string): unknown => world.data.medic.find((d) => d._id === id)?.type;
  return [...mine].filter((id) => !theirs.has(id)).sort((a, b) => Number(typeOf(b) === 'person') - Number(typeOf(a) === 'person'));
}

/** A second gateway on the world's database with other options, on its own port; returns its origin. */
export async function secondGateway(world: SyncWorld, options: { maxBodyBytes?: number }): Promise<{ origin: string; close(): Promise<void> }> {
  const gateway = createSyncGateway({
    couchUrl: world.couch.url, admin: world.couch.admin, databases: { [world.db]: gatewayDatabase(chtAccessRules()) }, contextTtlMs: 0, ...options,
  });
  const server: Server = createServer((req, res) => gateway(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((resolve) => { gateway.close(); server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
