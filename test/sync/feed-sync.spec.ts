import assert from 'node:assert/strict';
import type { SyncEvents } from '../../lib/sync/client/index.js';
import { expectedIds, localIds } from './expected.js';
import { bulkGetIds, countedDevice, listed } from './feed-device.js';
import { lostByMove, moveUser, onServer, report } from './safety.js';
import { syncWorld } from './world.js';
import type { SyncWorld } from './world.js';

describe('incremental sync through the per-user changes feed', function () {
  this.timeout(120_000);
  let world: SyncWorld;
  beforeEach(async () => { world = await syncWorld(); });
  afterEach(async () => { await world.stop(); });

  it('a sync with nothing to do after the first is one small feed request, without the list', async () => {
    const me = world.user('chw11');
    const device = countedDevice(world, me);
    const first = await device.client.sync();
    assert.equal(first.pull.via, 'list');
    assert.ok(listed(device.sent), 'the first sync lists and diffs');
    device.sent.length = 0;
    const second = await device.client.sync();
    assert.equal(second.state, 'up-to-date');
    assert.equal(second.pull.via, 'feed');
    assert.equal(listed(device.sent), false, 'no ids list');
    assert.deepEqual(device.sent.map((s) => `${s.method} ${s.path.split('?')[0] ?? ''}`), ['GET _changes']);
    const bytes = device.sent.reduce((sum, s) => sum + s.bytes, 0);
    assert.ok(bytes < 2_000, `${bytes} bytes`);
  });

  it('after one new visible document, downloads exactly it in two requests', async () => {
    const me = world.user('chw11');
    const device = countedDevice(world, me);
    await device.client.sync();
    await world.admin.insert(report(me, 'feed-new-report'));
    device.sent.length = 0;
    const result = await device.client.sync();
    assert.equal(result.pull.via, 'feed');
    assert.deepEqual(bulkGetIds(device.sent), ['feed-new-report']);
    // The feed page says nothing is pending, and the download is not marked in the push checkpoint.
    assert.deepEqual(device.sent.map((s) => `${s.method} ${s.path.split('?')[0] ?? ''}`), ['GET _changes', 'POST _bulk_get']);
    assert.equal(result.pull.downloaded, 1);
    assert.deepEqual([...await localIds(device.local)].sort(), [...expectedIds(world.data.medic, me), 'feed-new-report'].sort());
    assert.equal(result.state, 'up-to-date');
  });

  it('the first push after a pull of more than a batch starts past the downloads: only the local write is offered', async () => {
    const me = world.user('chw11');
    const device = countedDevice(world, me, { batchSize: 10 });
    const first = await device.client.sync();
    assert.ok(first.pull.downloaded > 10, `downloaded ${first.pull.downloaded}`);
    await world.admin.insert(report(me, 'feed-server-report'));
    await device.client.sync();
    await device.local.put(report(me, 'feed-local-visit'));
    device.sent.length = 0;
    const result = await device.client.sync();
    assert.equal(result.state, 'up-to-date');
    assert.equal(result.push.written, 1);
    const offered = device.sent.filter((s) => s.path.startsWith('_revs_diff')).flatMap((s) => Object.keys(JSON.parse(s.body) as object));
    assert.deepEqual(offered, ['feed-local-visit']);
    assert.ok(await onServer(world, 'feed-local-visit'));
    // And the next write goes from the checkpoint that push left.
    await device.local.put(report(me, 'feed-local-visit-2'));
    device.sent.length = 0;
    assert.equal((await device.client.sync()).push.written, 1);
    const next = device.sent.filter((s) => s.path.startsWith('_revs_diff')).flatMap((s) => Object.keys(JSON.parse(s.body) as object));
    assert.deepEqual(next, ['feed-local-visit-2']);
  });

  it('a reassignment reaches the device in the next incremental sync: exactly the gained added, the lost removed, a pending edit quarantined', async () => {
    const me = world.user('chw11');
    const elsewhere = world.user('chw12').facilityId;
    const device = countedDevice(world, me);
    const removed: Array<SyncEvents['removed']> = [];
    device.client.on('removed', (r) => removed.push(r));
    await device.client.sync();
    const mine = expectedIds(world.data.medic, me);
    const theirs = expectedIds(world.data.medic, me, elsewhere);
    const [edited] = lostByMove(world, me, elsewhere);
    assert.ok(edited);
    const before = await device.local.get(edited);
    await device.local.put({ ...before, edited_here: true });
    // The edit is pushed by this sync before the move; a second edit stays pending on the device.
    await device.client.sync();
    await moveUser(world, me.name, elsewhere);
    const again = await device.local.get(edited);
    await device.local.put({ ...again, edited_again: true });
    device.sent.length = 0;
    const moved = await device.client.sync();
    assert.equal(moved.pull.via, 'feed');
    assert.equal(listed(device.sent), false, 'no list');
    assert.deepEqual([...await localIds(device.local)].sort(), [...theirs].sort(), 'the device holds the new area only');
    const gained = [...theirs].filter((id) => !mine.has(id));
    assert.deepEqual(bulkGetIds(device.sent).filter((id) => !mine.has(id)).sort(), gained.sort(), 'exactly the gained docs downloaded');
    const lost = [...mine].filter((id) => !theirs.has(id));
    assert.deepEqual(removed.map((r) => r.id).sort(), lost.sort(), 'exactly the lost docs removed');
    assert.ok(removed.every((r) => r.reason === 'not-visible'));
    const quarantine = await device.client.quarantine();
    assert.deepEqual(quarantine.map((q) => q.id), [edited], 'the pending edit of a lost doc is in the quarantine');
    assert.equal(quarantine[0]?.doc['edited_again'], true);
    assert.equal((await onServer(world, edited))?.['edited_again'], undefined, 'and not on the server');

    // Access gained back: the lost docs return through the feed too.
    removed.length = 0;
    device.sent.length = 0;
    await moveUser(world, me.name, me.facilityId);
    const back = await device.client.sync();
    assert.equal(back.pull.via, 'feed');
    assert.deepEqual([...await localIds(device.local)].sort(), [...mine].sort(), 're-granted docs are back');
    assert.equal(back.push.written, 0, 'nothing removed or restored is pushed');
    assert.equal(listed(device.sent), false);
  });

  it('a document deleted on the server is removed from the device by the feed', async () => {
    const me = world.user('chw11');
    const device = countedDevice(world, me);
    await device.client.sync();
    const victim = [...expectedIds(world.data.medic, me)].find((id) => world.data.medic.find((d) => d._id === id)?.type === 'data_record');
    assert.ok(victim);
    const doc = await world.admin.get(victim);
    await world.admin.destroy(victim, doc._rev);
    const removed: Array<SyncEvents['removed']> = [];
    device.client.on('removed', (r) => removed.push(r));
    const result = await device.client.sync();
    assert.equal(result.pull.via, 'feed');
    assert.deepEqual(removed.map((r) => [r.id, r.reason]), [[victim, 'deleted']]);
    assert.equal((await localIds(device.local)).has(victim), false);
  });

  it('both devices that made a conflict get the conflict event', async () => {
    const me = world.user('chw11');
    const a = countedDevice(world, me);
    const b = countedDevice(world, me);
    await a.client.sync();
    await b.client.sync();
    const conflicts = { a: [] as string[], b: [] as string[] };
    a.client.on('conflict', (c) => conflicts.a.push(c.id));
    b.client.on('conflict', (c) => conflicts.b.push(c.id));
    const id = [...expectedIds(world.data.medic, me)].find((x) => world.data.medic.find((d) => d._id === x)?.type === 'person');
    assert.ok(id);
    await a.local.put({ ...await a.local.get(id), name: 'edited on a' });
    await b.local.put({ ...await b.local.get(id), name: 'edited on b' });
    await a.client.sync();
    await b.client.sync();
    await a.client.sync();
    assert.deepEqual(conflicts.a, [id], 'device a');
    assert.deepEqual(conflicts.b, [id], 'device b');
  });

  it('live sync waits on the feed itself: a server write wakes it and arrives without a list', async () => {
    const me = world.user('chw11');
    const device = countedDevice(world, me, { liveWaitMs: 2_000 });
    const upToDate = (): Promise<void> => new Promise((resolve) => {
      const off = device.client.on('state', (state) => { if (state === 'up-to-date') { off(); resolve(); } });
    });
    const first = upToDate();
    device.client.start();
    try {
      await first;
      device.sent.length = 0;
      const arrived = new Promise<void>((resolve) => {
        const changes = device.local.changes({ since: 'now', live: true }).on('change', (c) => { if (c.id === 'live-report') { void changes.cancel(); resolve(); } });
      });
      await world.admin.insert(report(me, 'live-report'));
      await arrived;
      assert.equal(listed(device.sent), false, 'no list');
      assert.ok(device.sent.some((s) => s.path.startsWith('_changes') && s.path.includes('feed=longpoll')), 'a long poll on the feed');
      assert.ok(!device.sent.some((s) => s.path.startsWith('_fieldsync/changes')), 'not on _fieldsync/changes');
    } finally {
      await device.client.stop();
    }
  });
});
