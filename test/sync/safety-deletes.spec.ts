import assert from 'node:assert/strict';
import { localIds } from './expected.js';
import { device, report } from './safety.js';
import { syncWorld } from './world.js';
import type { SyncWorld } from './world.js';

describe('a person deleted on the device during a sync', function () {
  this.timeout(120_000);
  let world: SyncWorld;
  beforeEach(async () => { world = await syncWorld(); });
  afterEach(async () => { await world.stop(); });

  it('takes their reports off the device before the sync may say up-to-date, whichever request it is made before', async () => {
    const me = world.user('chw11');
    const phone = device(world, me);
    await phone.client.sync();
    const held = await localIds(phone.local);
    const reported = new Set(world.data.medic.flatMap((doc) => {
      const subject = (doc['fields'] as { patient_uuid?: unknown } | undefined)?.patient_uuid ?? doc['patient_uuid'];
      return doc.type === 'data_record' && typeof subject === 'string' ? [subject] : [];
    }));
    const persons = world.data.medic.filter((doc) => doc.type === 'person' && held.has(doc._id) && reported.has(doc._id) && doc._id !== me.contactId);
    // A sync with something to push and to pull makes about 17 requests: a deletion before each of the
    // first 11 (the list, the push, the list again, the download, the checkpoint move).
    const points = 11;
    assert.ok(persons.length >= points, `${persons.length} persons with reports`);
    let upToDate = 0;
    for (let at = 0; at < points; at += 1) {
      const person = persons[at]?._id ?? '';
      // Something to push and something to pull, so the sync makes every kind of request.
      await phone.local.put(report(me, `visit-${at}`));
      const edited = await world.admin.get(me.contactId) as Record<string, unknown>;
      await world.admin.insert({ ...edited, notes: `edit ${at}` });
      let requests = 0;
      phone.beforeFetch = async () => {
        if (requests++ !== at) return;
        await phone.local.remove(await phone.local.get(person));
      };
      const result = await phone.client.sync();
      phone.beforeFetch = undefined;
      if (result.state !== 'up-to-date') continue;
      upToDate += 1;
      // What the user may have now, by a device that syncs it afresh.
      const fresh = device(world, me);
      await fresh.client.sync();
      assert.deepEqual([...await localIds(phone.local)].sort(), [...await localIds(fresh.local)].sort(), `deleted before request ${at}: the device holds what the user may see`);
    }
    assert.ok(upToDate > 0, 'some syncs said up-to-date');
    const left = [...held].filter((id) => !persons.slice(0, points).some((p) => p._id === id));
    const still = await localIds(phone.local);
    assert.ok(left.some((id) => !still.has(id)), 'the deleted persons took reports along');
  });
});
