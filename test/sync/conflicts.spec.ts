import assert from 'node:assert/strict';
import { device, report } from './safety.js';
import type { Device } from './safety.js';
import { syncWorld } from './world.js';
import type { SyncWorld } from './world.js';

/** The conflict events a device's client emits, as `id: revs`. */
function conflictsOf(phone: Device): string[] {
  const seen: string[] = [];
  phone.client.on('conflict', ({ id, revs }) => seen.push(`${id}: ${[...revs].sort().join(',')}`));
  return seen;
}

/** Renames a person on the device, as the app would offline. */
async function rename(phone: Device, id: string, name: string): Promise<string> {
  const doc = await phone.local.get(id);
  return (await phone.local.put({ ...doc, name })).rev;
}

describe('conflicts: every device that holds a conflicting document learns of it', function () {
  this.timeout(60_000);
  let world: SyncWorld;
  beforeEach(async () => { world = await syncWorld(); });
  afterEach(async () => { await world.stop(); });

  it('emits the same conflict on both devices that edited a document offline, the one whose revision won too', async () => {
    const me = world.user('chw11');
    const first = device(world, me);
    const second = device(world, me);
    await first.client.sync();
    await second.client.sync();
    const person = me.contactId;
    const onFirst = conflictsOf(first);
    const onSecond = conflictsOf(second);
    const firstEdit = await rename(first, person, 'Edited on the first phone');
    const secondEdit = await rename(second, person, 'Edited on the second phone');
    await first.client.sync();
    await second.client.sync();
    await first.client.sync();
    const server = (await world.admin.get(person, { conflicts: true })) as { _rev: string; _conflicts?: string[] };
    assert.equal(server._conflicts?.length, 1, 'the server holds both edits as a conflict');
    const expected = [`${person}: ${server._conflicts?.join(',') ?? ''}`];
    const outcome = (edit: string): string => (edit === server._rev ? 'won' : 'lost');
    assert.deepEqual(onFirst, expected, `the first device (its edit ${outcome(firstEdit)})`);
    assert.deepEqual(onSecond, expected, `the second device (its edit ${outcome(secondEdit)})`);
    for (const phone of [first, second]) {
      const held = await phone.local.get(person, { conflicts: true });
      assert.equal(held._rev, server._rev, 'same winner on the device and the server');
      assert.deepEqual(held._conflicts, server._conflicts, 'same conflicting leaves');
    }
    // Nothing more to learn: the next syncs are quiet.
    await first.client.sync();
    await second.client.sync();
    assert.equal(onFirst.length + onSecond.length, 2, 'each device told once');
  });

  it('lists no conflicting revision the user may not see, and stays up to date beside it', async () => {
    const me = world.user('chw11');
    const phone = device(world, me);
    const id = 'visit-in-conflict';
    await phone.local.put(report(me, id));
    await phone.client.sync();
    const seen = conflictsOf(phone);
    await phone.local.put({ ...await phone.local.get(id), fields: { edited: true } });
    await phone.client.sync();
    // Another version of the report, about someone in another area, that loses to the phone's edit.
    const current = await world.admin.get(id, { revs: true }) as Record<string, unknown> & { _revisions: { ids: string[] } };
    const hidden = `2-${'0'.repeat(32)}`;
    await world.admin.bulk({
      docs: [{ ...current, _rev: hidden, _revisions: { start: 2, ids: ['0'.repeat(32), current._revisions.ids[1] ?? ''] }, contact: { _id: world.user('chw12').contactId } }],
      new_edits: false,
    });
    assert.deepEqual((await world.admin.get(id, { conflicts: true }) as { _conflicts?: string[] })._conflicts, [hidden], 'the server holds the conflict');
    const result = await phone.client.sync();
    assert.equal(result.state, 'up-to-date');
    assert.deepEqual(seen, [], 'no conflict the user could not see');
    await assert.rejects(phone.local.get(id, { rev: hidden }), 'the hidden version is not on the device');
  });
});
