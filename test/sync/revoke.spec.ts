import assert from 'node:assert/strict';
import { createSyncClient } from '../../lib/sync/client/index.js';
import type { SyncEvents } from '../../lib/sync/client/index.js';
import { memoryPouch } from '../support/pouch.js';
import { expectedIds, localIds } from './expected.js';
import { syncWorld } from './world.js';
import type { SyncWorld } from './world.js';

// The purge path (PouchDB's indexeddb adapter) runs in Chromium: test/browser/sync.spec.ts.
const adapters = [{ name: 'memory: tombstones', make: () => memoryPouch(), how: 'tombstone' }] as const;

describe('revoking and re-granting access', function () {
  this.timeout(60_000);
  let world: SyncWorld;
  beforeEach(async () => { world = await syncWorld(); });
  afterEach(async () => { await world.stop(); });

  async function moveUser(name: string, facilityId: string): Promise<void> {
    const settings = await world.admin.get(`org.couchdb.user:${name}`);
    await world.admin.insert({ ...settings, facility_id: facilityId });
  }

  for (const adapter of adapters) {
    it(`removes what a user no longer sees and brings it back on a re-grant (${adapter.name})`, async () => {
      const me = world.user('chw11');
      const elsewhere = world.user('chw12').facilityId;
      const local = adapter.make();
      const client = createSyncClient({ local, url: world.url, auth: { username: me.name, password: me.password } });
      const removed: Array<SyncEvents['removed']> = [];
      client.on('removed', (r) => removed.push(r));
      await client.sync();
      const mine = expectedIds(world.data.medic, me);
      assert.deepEqual([...await localIds(local)].sort(), [...mine].sort());

      await moveUser(me.name, elsewhere);
      await client.sync();
      const theirs = expectedIds(world.data.medic, me, elsewhere);
      assert.deepEqual([...await localIds(local)].sort(), [...theirs].sort(), 'after the move the device holds the new area only');
      const lost = [...mine].filter((id) => !theirs.has(id));
      assert.deepEqual(removed.map((r) => r.id).sort(), lost.sort());
      assert.ok(removed.every((r) => r.reason === 'not-visible' && r.how === adapter.how));

      // Nothing removed on the device reaches the server as a deletion.
      const { rows } = await world.admin.fetch({ keys: lost });
      assert.equal(rows.filter((row) => 'doc' in row && row.doc).length, lost.length);

      await moveUser(me.name, me.facilityId);
      const back = await client.sync();
      assert.deepEqual([...await localIds(local)].sort(), [...mine].sort(), 're-granted docs are back');
      assert.equal(back.push.written, 0, 're-granted docs are not pushed back');
      // A later server edit of a re-granted doc reaches the device and wins there.
      const someone = lost.find((id) => !id.startsWith('org.couchdb.user:') && world.data.medic.find((d) => d._id === id)?.type === 'person');
      assert.ok(someone);
      const current = await world.admin.get(someone);
      await world.admin.insert({ ...current, name: 'Renamed on the server' });
      await client.sync();
      const onDevice = (await local.get(someone)) as { name?: string };
      assert.equal(onDevice.name, 'Renamed on the server');
    });
  }

  it('removes a document deleted on the server', async () => {
    const me = world.user('chw11');
    const local = memoryPouch();
    const client = createSyncClient({ local, url: world.url, auth: { username: me.name, password: me.password } });
    await client.sync();
    const victim = [...expectedIds(world.data.medic, me)].find((id) => world.data.medic.find((d) => d._id === id)?.type === 'data_record');
    assert.ok(victim);
    const doc = await world.admin.get(victim);
    await world.admin.destroy(victim, doc._rev);
    const removed: Array<SyncEvents['removed']> = [];
    client.on('removed', (r) => removed.push(r));
    await client.sync();
    assert.deepEqual(removed.map((r) => [r.id, r.reason]), [[victim, 'deleted']]);
    assert.equal((await localIds(local)).has(victim), false);
  });
});
