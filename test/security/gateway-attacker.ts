/**
 * An attacker's view of the gateway: a sync world with a gateway built for the test (its own options,
 * its own loopback port), raw HTTP requests with the attacker's credentials or none, and the admin's
 * snapshot of the server (ids, revisions, `_local` docs) to prove an attack changed nothing.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { chtAccessRules } from '../../lib/cht/rules.js';
import { createSyncGateway, gatewayDatabase } from '../../lib/sync/gateway/index.js';
import type { SyncGatewayOptions } from '../../lib/sync/gateway/index.js';
import { expectedIds } from '../sync/expected.js';
import { syncWorld } from '../sync/world.js';
import type { SyncWorld } from '../sync/world.js';

/** Credentials of one user, or none. */
export type Who = { readonly name: string; readonly password: string } | undefined;

/** An answer as the attacker sees it. */
export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
}

/** A world and a gateway over it with the test's options. */
export interface AttackWorld {
  readonly world: SyncWorld;
  /** The gateway URL of the world's database. */
  readonly url: string;
  /** The gateway's origin, for requests outside the database path. */
  readonly origin: string;
  request(who: Who, method: string, path: string, init?: { body?: string; contentType?: string; signal?: AbortSignal }): Promise<Answer>;
  /** A JSON request, sent as `application/json`. */
  json(who: Who, method: string, path: string, body?: unknown): Promise<Answer>;
  /** Ids a user may see, by the data set. */
  visibleTo(name: string): Set<string>;
  /** An id of `type` that `name` may not see. */
  invisibleTo(name: string, type: string): string;
  stop(): Promise<void>;
}

/** Builds a world and a gateway over it with `options` (defaults as in production, context cache off). */
export async function attackWorld(options: Partial<Omit<SyncGatewayOptions, 'couchUrl' | 'admin' | 'databases'>> = {}): Promise<AttackWorld> {
  const world = await syncWorld();
  const gateway = createSyncGateway({
    couchUrl: world.couch.url, admin: world.couch.admin, databases: { [world.db]: gatewayDatabase(chtAccessRules()) }, contextTtlMs: 0, ...options,
  });
  await gateway.install();
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => gateway(req, res));
  server.on('connection', (socket) => { sockets.add(socket); socket.once('close', () => sockets.delete(socket)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const url = `${origin}/${encodeURIComponent(world.db)}`;
  const request: AttackWorld['request'] = async (who, method, path, init = {}) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (who) headers['authorization'] = `Basic ${Buffer.from(`${who.name}:${who.password}`).toString('base64')}`;
    if (init.contentType) headers['content-type'] = init.contentType;
    const response = await fetch(path.startsWith('http') ? path : `${url}/${path}`, {
      method, headers, ...(init.body !== undefined ? { body: init.body } : {}), ...(init.signal ? { signal: init.signal } : {}),
    });
    const text = await response.text();
    let json: unknown;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: response.status, text, json };
  };
  return {
    world, url, origin, request,
    json: (who, method, path, body) =>
      request(who, method, path, body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
    visibleTo: (name) => expectedIds(world.data.medic, world.user(name)),
    invisibleTo(name, type) {
      const mine = expectedIds(world.data.medic, world.user(name));
      const found = world.data.medic.find((doc) => doc.type === type && !mine.has(doc._id));
      assert.ok(found, `the data set has a ${type} ${name} may not see`);
      return found._id;
    },
    async stop() {
      gateway.close();
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closing;
      await world.stop();
    },
  };
}

/** What the admin sees of the server: every id with its leaf revisions, and the `_local` docs named. */
export async function serverState(world: SyncWorld, localIds: readonly string[] = []): Promise<unknown> {
  const changes = await world.admin.changes({ style: 'all_docs' });
  const docs = changes.results.map((c) => [c.id, c.changes.map((x) => x.rev).sort(), c.deleted === true] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const locals: Array<[string, unknown]> = [];
  for (const id of localIds) {
    const doc = await world.admin.get(id).catch((err: { statusCode?: number }) => ({ missing: err.statusCode }));
    locals.push([id, doc]);
  }
  return { docs, locals };
}

/** Asserts `text` names none of `secrets` (ids or revisions the attacker may not see). */
export function assertCarriesNone(text: string, secrets: readonly string[], what: string): void {
  for (const secret of secrets) assert.ok(!text.includes(secret), `${what} carries ${secret}`);
}

/** Asserts a refusal in CouchDB's format: the status, and a body `{error, reason}` of strings. */
export function assertRefused(answer: Answer, status: number, error?: string): void {
  assert.equal(answer.status, status, `expected ${status}, got ${answer.status}: ${answer.text.slice(0, 300)}`);
  const body = answer.json as { error?: unknown; reason?: unknown } | undefined;
  assert.equal(typeof body?.error, 'string', `a CouchDB-style body: ${answer.text.slice(0, 300)}`);
  assert.equal(typeof body?.reason, 'string', `a CouchDB-style body: ${answer.text.slice(0, 300)}`);
  if (error) assert.equal(body?.error, error);
}
