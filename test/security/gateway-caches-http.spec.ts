import assert from 'node:assert/strict';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import Nano from 'nano';
import { chtAccessRules } from '../../lib/cht/rules.js';
import { createSyncGateway, gatewayDatabase } from '../../lib/sync/gateway/index.js';
import type { GatewayStats, SyncGateway } from '../../lib/sync/gateway/index.js';
import { syncWorld } from '../sync/world.js';
import type { SyncWorld } from '../sync/world.js';

const USERS = 300;
/** Far below the number of users: every per-user cache must evict. */
const BOUND = 40;
const TTL_MS = 60_000;

interface Who { readonly name: string; readonly password: string }

/**
 * A `_users` record hashed here with one PBKDF2 iteration (as CouchDB stores a pre-hashed record), so
 * hundreds of users cost nothing to create or to check.
 */
function cheapUser(who: Who): Record<string, unknown> & { _id: string } {
  const salt = randomBytes(16).toString('hex');
  return {
    _id: `org.couchdb.user:${who.name}`, type: 'user', name: who.name, roles: ['chw'],
    // No pbkdf2_prf: SHA-1, which every CouchDB since 1.3 and the embedded server check.
    password_scheme: 'pbkdf2', iterations: 1, salt, derived_key: pbkdf2Sync(who.password, salt, 1, 20, 'sha1').toString('hex'),
  };
}

/** Resolves once `check` holds, asking again every 5 ms; fails after `ms`. */
async function until(check: () => boolean, what: () => string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('gateway caches through HTTP: many users leave the gateway holding no more than its bounds', function () {
  this.timeout(300_000);
  let world: SyncWorld;
  let gateway: SyncGateway;
  let server: Server;
  let url: string;
  let clock = Date.UTC(2026, 0, 1);
  const users: Who[] = [];

  const request = async (who: Who, path: string, signal?: AbortSignal): Promise<{ status: number; json: Record<string, unknown> }> => {
    const response = await fetch(`${url}/${path}`, {
      headers: { authorization: `Basic ${Buffer.from(`${who.name}:${who.password}`).toString('base64')}`, accept: 'application/json' },
      ...(signal ? { signal } : {}),
    });
    return { status: response.status, json: await response.json() as Record<string, unknown> };
  };

  /** Every figure of `stats` within its bound. */
  const assertBounded = (stats: GatewayStats, when: string): void => {
    for (const name of ['sessions', 'contexts', 'listed', 'accessKeys'] as const) {
      assert.equal(stats[name].maxEntries, BOUND, `${when}: ${name} has the configured bound`);
      assert.ok(stats[name].entries <= BOUND, `${when}: ${name} holds ${stats[name].entries} > ${BOUND}`);
    }
    assert.ok(stats.listed.revisions <= stats.listed.maxRevisions, `${when}: listed revisions`);
  };

  before(async () => {
    world = await syncWorld();
    const suffix = world.db.split('-').slice(-2).join('');
    for (let i = 0; i < USERS; i += 1) users.push({ name: `many${i}x${suffix}`, password: `many${i}-pass` });
    await Nano(world.couch.adminUrl).use('_users').bulk({ docs: users.map(cheapUser) });
    gateway = createSyncGateway({
      couchUrl: world.couch.url, admin: world.couch.admin, databases: { [world.db]: gatewayDatabase(chtAccessRules()) },
      sessionTtlMs: TTL_MS, contextTtlMs: TTL_MS, followedContextTtlMs: TTL_MS, listTtlMs: TTL_MS,
      maxCacheEntries: BOUND, now: () => clock,
    });
    await gateway.install();
    server = createServer((req, res) => gateway(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/${encodeURIComponent(world.db)}`;
  });

  after(async () => {
    gateway.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const stored = Nano(world.couch.adminUrl).use<Record<string, unknown>>('_users');
    const { rows } = await stored.fetchRevs({ keys: users.map((u) => `org.couchdb.user:${u.name}`) });
    await stored.bulk({ docs: rows.flatMap((row) => ('value' in row && row.value ? [{ _id: row.id, _rev: row.value.rev, _deleted: true }] : [])) });
    await world.stop();
  });

  it(`${USERS} users syncing hold at most ${BOUND} entries per cache, no wait once answered, and expired entries go`, async () => {
    // Each user: a feed from 0, the feed again from its cursor, and the pull list; a few users at a time.
    for (let at = 0; at < users.length; at += 10) {
      await Promise.all(users.slice(at, at + 10).map(async (who) => {
        const first = await request(who, '_changes?since=0');
        assert.equal(first.status, 200, JSON.stringify(first.json));
        assert.equal((await request(who, `_changes?since=${encodeURIComponent(String(first.json['last_seq']))}`)).status, 200);
        assert.equal((await request(who, '_fieldsync/ids')).status, 200);
      }));
      assertBounded(gateway.stats(), `after ${at + 10} users`);
    }
    const full = gateway.stats();
    // Every user made an entry in each cache: full means the oldest were evicted, not that few came.
    for (const name of ['sessions', 'contexts', 'listed', 'accessKeys'] as const) assert.equal(full[name].entries, BOUND, `${name} is full`);
    assert.deepEqual({ waits: full.waits, feedWaits: full.feedWaits }, { waits: { users: 0, open: 0 }, feedWaits: 0 });

    // Open longpolls hold a slot and a wait each, and give both back when their clients go away.
    const waiting = users.slice(0, 10);
    const abort = new AbortController();
    const polls = waiting.map((who) => request(who, '_changes?since=now&feed=longpoll', abort.signal).catch((err: unknown) => err));
    await until(() => gateway.stats().feedWaits === waiting.length, () => JSON.stringify(gateway.stats()));
    assert.deepEqual(gateway.stats().waits, { users: waiting.length, open: waiting.length });
    abort.abort();
    await Promise.all(polls);
    await until(() => gateway.stats().feedWaits === 0 && gateway.stats().waits.open === 0, () => JSON.stringify(gateway.stats()));
    assert.deepEqual(gateway.stats().waits, { users: 0, open: 0 });

    // Past every time to live, the next request drops what expired: one user's entries remain.
    clock += TTL_MS + 1;
    assert.equal((await request(users[0]!, '_changes?since=0')).status, 200);
    const later = gateway.stats();
    assertBounded(later, 'after expiry');
    assert.deepEqual([later.sessions.entries, later.contexts.entries, later.listed.entries], [1, 1, 1], 'expired sessions, contexts and lists are gone');
    // Key sets never change, so they never expire; they stay within their bound.
    assert.equal(later.accessKeys.entries, BOUND);
  });
});
