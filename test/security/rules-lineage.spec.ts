import assert from 'node:assert/strict';
import { assertAllRefused, pulledIds, pushAs, serverState, under } from '../cht/attacker.js';
import { expectedIds } from '../sync/expected.js';
import { syncWorld } from '../sync/world.js';
import type { SyncWorld } from '../sync/world.js';

describe('security: a contact\'s lineage above its parent is the parent\'s own (issue 14, item 15)', function () {
  this.timeout(120_000);
  let world: SyncWorld;
  before(async () => { world = await syncWorld(); });
  after(async () => { await world.stop(); });

  it('refuses contacts whose chain files them into another branch, and that branch pulls exactly its own set', async () => {
    const attacker = world.user('chw11');
    const victim = world.user('chw12');
    const clinic = under(world, attacker.facilityId, 'clinic');
    const district = world.data.medic.find((d) => d.type === 'district_hospital')!;
    const forged = [
      // Under my household, but claiming the other health centre above it.
      { _id: 'smuggled-person', type: 'person', name: 'S', parent: { _id: clinic._id, parent: { _id: victim.facilityId, parent: { _id: district._id } } } },
      // A household under my health centre, claiming another district above it.
      { _id: 'smuggled-household', type: 'clinic', name: 'H', parent: { _id: attacker.facilityId, parent: { _id: 'district-elsewhere' } } },
      // A household in this push, and a person below it whose chain skips my health centre.
      { _id: 'smuggled-child', type: 'person', name: 'C', parent: { _id: 'fresh-household', parent: { _id: victim.facilityId, parent: { _id: district._id } } } },
    ];
    const fresh = { _id: 'fresh-household', type: 'clinic', name: 'F', parent: { _id: attacker.facilityId, parent: { _id: district._id } } };
    const before = await serverState(world);
    const answer = await pushAs(world, attacker, [...forged, fresh]);
    const rows = answer.body as Array<{ id: string; error?: string; ok?: boolean }>;
    assertAllRefused({ status: answer.status, body: rows.filter((r) => r.id !== fresh._id) }, forged.map((d) => d._id));
    assert.equal(rows.find((r) => r.id === fresh._id)?.ok, true, 'a household with its true lineage goes in');
    const after = await serverState(world);
    assert.deepEqual(after.filter((s) => !s.startsWith(`${fresh._id}@`)), before);
    assert.deepEqual(await pulledIds(world.url, victim), expectedIds(world.data.medic, victim), 'nothing was filed into the other branch');
  });
});
