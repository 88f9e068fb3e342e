import assert from 'node:assert/strict';
import { createSyncClient } from '../../lib/sync/client/index.js';
import type { SyncClient } from '../../lib/sync/client/index.js';
import type { SeedUser } from '../../lib/seed/dataset.js';
import { memoryPouch } from '../support/pouch.js';
import { expectedIds, localIds } from './expected.js';
import { syncWorld } from './world.js';
import type { SyncWorld } from './world.js';

function clientFor(world: SyncWorld, user: SeedUser, local: PouchDB.Database = memoryPouch()): { client: SyncClient; local: PouchDB.Database } {
  return { client: createSyncClient({ local, url: world.url, auth: { username: user.name, password: user.password } }), local };
}

describe('sync through the gateway', function () {
  this.timeout(60_000);
  let world: SyncWorld;
  before(async () => { world = await syncWorld(); });
  after(async () => { await world.stop(); });

  it('gives two CHWs in different branches and their supervisor exactly the docs they may see', async () => {
    const people = ['chw11', 'chw12', 'supervisor1'].map((name) => world.user(name));
    const holdings = new Map<string, Set<string>>();
    for (const user of people) {
      const { client, local } = clientFor(world, user);
      const result = await client.sync();
      const expected = expectedIds(world.data.medic, user);
      const held = await localIds(local);
      assert.deepEqual([...held].sort(), [...expected].sort(), `${user.name} holds exactly the allowed docs`);
      assert.equal(result.pull.listed, expected.size);
      assert.equal(result.state, 'up-to-date');
      holdings.set(user.name, held);
    }
    const [chwA, chwB, supervisor] = people.map((u) => holdings.get(u.name) ?? new Set<string>());
    assert.ok(chwA && chwB && supervisor);
    const shared = [...chwA].filter((id) => chwB.has(id));
    // Only public docs (forms) are shared between the two branches.
    assert.ok(shared.every((id) => id.startsWith('form:')), `CHWs share only forms, got ${shared.join(', ')}`);
    assert.ok([...chwA].every((id) => supervisor.has(id) || id.startsWith('org.couchdb.user:')), 'the supervisor sees the branch of a CHW');
    assert.ok(chwA.size > 20 && supervisor.size > chwA.size + chwB.size - shared.length - 2);
    for (const held of [chwA, chwB, supervisor]) {
      assert.equal([...held].filter((id) => id.startsWith('org.couchdb.user:')).length, 1, 'only one user-settings doc: their own');
    }
  });

  it('reports pull progress that only grows and ends at exactly 100 %', async () => {
    const user = world.user('supervisor1');
    const { client } = clientFor(world, user);
    const seen: Array<{ done: number; total: number }> = [];
    client.on('progress', (p) => seen.push(p));
    const result = await client.sync();
    assert.ok(seen.length > 1);
    seen.forEach((p, i) => assert.ok(i === 0 || p.done >= (seen[i - 1]?.done ?? 0), 'monotone'));
    assert.deepEqual(seen.at(-1), { phase: 'pull', done: result.pull.listed, total: result.pull.listed });
  });

  it('is up to date only when a write made during the sync reached the server too', async () => {
    const user = world.user('chw11');
    const { client, local } = clientFor(world, user);
    let wrote = false;
    client.on('progress', ({ done }) => {
      if (wrote || done === 0) return;
      wrote = true;
      void local.put({ _id: `during-sync-${Date.now()}`, type: 'data_record', form: 'home_visit', reported_date: 1, contact: { _id: user.contactId }, fields: {} });
    });
    const result = await client.sync();
    assert.ok(wrote);
    const mine = (await local.allDocs()).rows.find((r) => r.id.startsWith('during-sync-'));
    assert.ok(mine);
    const onServer = (await world.admin.fetch({ keys: [mine.id] })).rows.some((r) => 'doc' in r && r.doc);
    assert.ok(result.state !== 'up-to-date' || onServer, `state ${result.state} while the write is ${onServer ? '' : 'not '}on the server`);
    assert.ok(result.cycles >= 2, 'the sync went round again for the write');
  });

  it('refuses unauthenticated requests and wrong passwords', async () => {
    const anonymous = await fetch(`${world.url}/_fieldsync/ids`);
    assert.equal(anonymous.status, 401);
    const user = world.user('chw11');
    const { client } = clientFor(world, { ...user, password: 'wrong' });
    await assert.rejects(client.sync(), (err: Error & { kind?: string }) => err.kind === 'unauthorized');
  });

  it('stops live sync when asked as its pull ends, without waiting for a server change', async () => {
    const user = world.user('chw12');
    const { client } = clientFor(world, user);
    let asked = false;
    const stopping = new Promise<void>((resolve) => {
      // Asked after the last batch, when nothing of the cycle looks at the abort any more.
      client.on('progress', ({ done, total }) => {
        if (done !== total || asked) return;
        asked = true;
        resolve(client.stop());
      });
    });
    client.start();
    // A bound for a hang (stopping takes milliseconds), not a race: the server never changes here.
    const stopped = await Promise.race([stopping.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000).unref())]);
    assert.ok(stopped, 'stop() resolved within 10 s, though the server did not change');
  });
});
