/**
 * What the security tests need to attack a sync world as an outsider would: requests over HTTP with
 * the attacker's own credentials, the server's state as an admin sees it (to show nothing changed),
 * and a fresh device's pull (to show who holds what).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createSyncClient } from '../../lib/sync/client/index.js';
import { createSyncGateway, gatewayDatabase } from '../../lib/sync/gateway/index.js';
import type { AccessRules, AnyDoc } from '../../lib/sync/rules.js';
import type { SeedUser } from '../../lib/seed/dataset.js';
import { lineageIds } from '../../lib/validate/consistency.js';
import { memoryPouch } from '../support/pouch.js';
import { localIds } from '../sync/expected.js';
import type { SyncWorld } from '../sync/world.js';

/** Basic authorization for a user of the world. */
export function basic(user: { name: string; password: string }): string {
  return `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`;
}

/** One answer of the gateway: status and parsed body. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** Sends a request to the gateway as `user`. */
export async function asUser(url: string, user: { name: string; password: string }, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${url}/${path}`, {
    method,
    headers: { authorization: basic(user), 'content-type': 'application/json', accept: 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) as unknown };
}

/** Pushes `docs` with `_bulk_docs` as `user`. */
export function pushAs(world: SyncWorld, user: SeedUser, docs: readonly unknown[], newEdits = true): Promise<Answer> {
  return asUser(world.url, user, 'POST', '_bulk_docs', { docs, ...(newEdits ? {} : { new_edits: false }) });
}

/** Every stored revision (winners and conflicts) and the given `_local` docs, as an admin reads them. */
export async function serverState(world: SyncWorld, localIdsToProbe: readonly string[] = []): Promise<string[]> {
  const { rows } = await world.admin.list({ include_docs: true, conflicts: true });
  const state = rows.map((row) => {
    const doc = row.doc as (AnyDoc & { _conflicts?: string[] }) | undefined;
    return `${row.id}@${row.value.rev}${doc?._conflicts ? `+${[...doc._conflicts].sort().join(',')}` : ''}`;
  });
  for (const id of localIdsToProbe) {
    const response = await fetch(`${world.couch.dbUrl(world.db)}/${id}`, { headers: { authorization: world.couch.adminAuthHeader } });
    state.push(`${id}:${response.status}:${response.ok ? String(((await response.json()) as { _rev?: string })._rev) : ''}`);
  }
  return state.sort();
}

/** Asserts every row of a `_bulk_docs` answer is a refusal of one of the ids sent, and says nothing else. */
export function assertAllRefused(answer: Answer, sent: readonly string[]): void {
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  const rows = answer.body as Array<Record<string, unknown>>;
  assert.deepEqual(rows.map((r) => r['id']).sort(), [...sent].sort());
  for (const row of rows) {
    assert.equal(row['error'], 'forbidden', JSON.stringify(row));
    assert.deepEqual(Object.keys(row).sort(), ['error', 'id', 'reason'], 'a refusal carries its id, error and reason only');
  }
}

/** The ids a fresh device of `user` holds after one sync through the gateway at `url`. */
export async function pulledIds(url: string, user: SeedUser): Promise<Set<string>> {
  const local = memoryPouch<Record<string, unknown>>();
  const client = createSyncClient({ local, url, auth: { username: user.name, password: user.password } });
  await client.sync();
  const ids = await localIds(local);
  await local.destroy();
  return ids;
}

/** The first seeded document of `type` under `facilityId`. */
export function under(world: SyncWorld, facilityId: string, type: string): AnyDoc {
  const found = world.data.medic.find((d) => d.type === type && lineageIds(d['parent']).includes(facilityId));
  if (!found) throw new Error(`no ${type} under ${facilityId}`);
  return found;
}

/** A seeded document by id. */
export function seeded(world: SyncWorld, id: string): AnyDoc {
  const found = world.data.medic.find((d) => d._id === id);
  if (!found) throw new Error(`no ${id} in the data set`);
  return found;
}

/** A second gateway on the world's database with other rules, on its own port; returns its URL and a stop. */
export async function gatewayWith(world: SyncWorld, rules: AccessRules<unknown>): Promise<{ url: string; stop(): Promise<void> }> {
  const gateway = createSyncGateway({
    couchUrl: world.couch.url, admin: world.couch.admin, databases: { [world.db]: gatewayDatabase(rules) }, contextTtlMs: 0,
  });
  const server: Server = createServer((req, res) => gateway(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/${encodeURIComponent(world.db)}`,
    stop: () => new Promise<void>((resolve) => { gateway.close(); server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
