import assert from 'node:assert/strict';
import { SyncError } from '../../lib/sync/client/index.js';
import type { SyncEvents } from '../../lib/sync/client/index.js';
import { memoryPouch } from '../support/pouch.js';
import { expectedIds, localIds } from './expected.js';
import { withCalls } from './faults.js';
import { countedDevice, listed } from './feed-device.js';
import { moveUser, report, secondGateway } from './safety.js';
import { syncWorld } from './world.js';
import type { SyncWorld } from './world.js';

const CURSOR_ID = '_local/fieldsync-feed-cursor';

async function storedCursors(local: PouchDB.Database): Promise<string[]> {
  const doc = (await local.get(CURSOR_ID).catch(() => ({ cursors: {} }))) as { cursors?: Record<string, string> };
  return Object.values(doc.cursors ?? {});
}

describe('the feed pull when things go wrong', function () {
  this.timeout(180_000);
  let world: SyncWorld;
  beforeEach(async () => { world = await syncWorld(); });
  afterEach(async () => { await world.stop(); });

  it('a sync killed mid feed-pull resumes from the stored cursor: exact set, no document written twice', async () => {
    const me = world.user('chw11');
    const elsewhere = world.user('chw12').facilityId;
    const writes = new Map<string, number>();
    const local = withCalls(memoryPouch<Record<string, unknown>>(), (name, original) => (name === 'bulkDocs'
      ? (docs: unknown, opts: unknown) => {
        for (const doc of docs as Array<{ _id: string; _rev?: string }>) writes.set(`${doc._id} ${doc._rev ?? ''}`, (writes.get(`${doc._id} ${doc._rev ?? ''}`) ?? 0) + 1);
        return original(docs, opts);
      }
      : undefined));
    const device = countedDevice(world, me, { batchSize: 5 }, local);
    await device.client.sync();
    await moveUser(world, me.name, elsewhere);
    device.sent.length = 0;
    let batches = 0;
    let kills = 0;
    let reviving: Promise<void> = Promise.resolve();
    device.client.on('progress', ({ done }) => {
      if (done === 0 || kills >= 3) return;
      batches += 1;
      if (batches % 2 !== 0) return;
      kills += 1;
      reviving = world.kill().then(() => world.revive());
    });
    for (let attempt = 0; ; attempt += 1) {
      assert.ok(attempt < 20, 'the sync finishes');
      try {
        const result = await device.client.sync();
        assert.equal(result.state, 'up-to-date');
        break;
      } catch (err) {
        assert.ok(err instanceof SyncError && err.kind === 'offline', String(err));
        await reviving;
      }
    }
    assert.ok(kills >= 1, 'the gateway was killed during the feed pull');
    assert.equal(listed(device.sent), false, 'every attempt read the feed');
    assert.deepEqual([...await localIds(device.local)].sort(), [...expectedIds(world.data.medic, me, elsewhere)].sort());
    const twice = [...writes].filter(([, n]) => n > 1).map(([key]) => key);
    assert.deepEqual(twice, [], 'every revision written once');
  });

  it('a forged cursor is refused and a list-and-diff recovers, with a new cursor', async () => {
    const me = world.user('chw11');
    const device = countedDevice(world, me);
    await device.client.sync();
    const [cursor] = await storedCursors(device.local);
    assert.ok(cursor, 'the first sync stored a cursor');
    const doc = await device.local.get(CURSOR_ID) as { _rev: string; cursors: Record<string, string> };
    const [key] = Object.keys(doc.cursors);
    assert.ok(key);
    // Another payload under the old signature: what a client trying to see more would send.
    const [prefix, , mac] = cursor.split('.');
    const forged = `${prefix}.${Buffer.from(JSON.stringify({ s: '0', a: '0'.repeat(32) })).toString('base64url')}.${mac}`;
    await device.local.put({ ...doc, cursors: { [key]: forged } });
    await world.admin.insert(report(me, 'while-forged'));
    device.sent.length = 0;
    const result = await device.client.sync();
    assert.equal(result.pull.via, 'list');
    assert.ok(device.sent.some((s) => s.path.startsWith('_changes') && s.path.includes(encodeURIComponent(forged))), 'the forged cursor was tried');
    assert.deepEqual([...await localIds(device.local)].sort(), [...expectedIds(world.data.medic, me), 'while-forged'].sort());
    const [fresh] = await storedCursors(device.local);
    assert.ok(fresh && fresh !== forged);
    assert.equal((await device.client.sync()).pull.via, 'feed', 'and the feed is used again');
  });

  it('a cursor given by a gateway that has since restarted still brings the device to the exact set', async () => {
    const me = world.user('chw11');
    const elsewhere = world.user('chw12').facilityId;
    const device = countedDevice(world, me);
    const removed: Array<SyncEvents['removed']> = [];
    device.client.on('removed', (r) => removed.push(r));
    await device.client.sync();
    await moveUser(world, me.name, elsewhere);
    // A fresh gateway process over the same database: nothing of the first one's memory.
    const restarted = await secondGateway(world, {});
    try {
      const origin = new URL(world.url).origin;
      device.rewrite = (url) => url.replace(origin, restarted.origin);
      const result = await device.client.sync();
      assert.equal(result.state, 'up-to-date');
      const mine = expectedIds(world.data.medic, me);
      const theirs = expectedIds(world.data.medic, me, elsewhere);
      assert.deepEqual([...await localIds(device.local)].sort(), [...theirs].sort());
      assert.deepEqual(removed.map((r) => r.id).sort(), [...mine].filter((id) => !theirs.has(id)).sort());
    } finally {
      await restarted.close();
    }
  });

  it('verify() is true when the device holds the server\'s set, and false and repaired when a document vanished from the device', async () => {
    const me = world.user('chw11');
    const device = countedDevice(world, me);
    await device.client.sync();
    device.sent.length = 0;
    const ok = await device.client.verify();
    assert.equal(ok.equal, true);
    assert.equal(ok.repair, undefined);
    assert.equal(ok.server.digest, ok.device.digest);
    assert.equal(listed(device.sent), false, 'no list');
    assert.ok(device.sent.reduce((sum, s) => sum + s.bytes, 0) < 2_000, 'a few small answers');

    // Behind the client's back: a document disappears from the device without any server change
    // (a removal marker is never pushed, so the server keeps it).
    const victim = [...expectedIds(world.data.medic, me)].find((id) => world.data.medic.find((d) => d._id === id)?.type === 'person');
    assert.ok(victim);
    const doc = await device.local.get(victim);
    await device.local.put({ _id: victim, _rev: doc._rev, _deleted: true, purged: true });
    assert.equal((await device.client.sync()).pull.via, 'feed');
    assert.equal((await localIds(device.local)).has(victim), false, 'the feed alone cannot see it');
    const found = await device.client.verify();
    assert.equal(found.equal, false);
    assert.notEqual(found.server.digest, found.device.digest);
    assert.equal(found.device.count, found.server.count - 1);
    assert.equal(found.repair?.equal, true, 'equal after the repair');
    assert.equal(found.repair?.sync.pull.via, 'list');
    assert.ok((await localIds(device.local)).has(victim), 'the list-and-diff brought it back');
    assert.equal((await device.client.verify()).equal, true);
  });
});
