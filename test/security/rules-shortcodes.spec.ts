import assert from 'node:assert/strict';
import { assertAllRefused, pulledIds, pushAs, serverState, under } from '../cht/attacker.js';
import { expectedIds } from '../sync/expected.js';
import { syncWorld } from '../sync/world.js';
import type { SyncWorld } from '../sync/world.js';

describe('security: a shortcode never becomes someone else\'s read key (issue 14, item 7)', function () {
  this.timeout(120_000);
  let world: SyncWorld;
  before(async () => { world = await syncWorld(); });
  after(async () => { await world.stop(); });

  it('refuses contacts claiming a user id, another contact\'s shortcode or id, and the attacker pulls exactly their own set', async () => {
    const attacker = world.user('chw11');
    const victim = world.user('chw12');
    const theirs = world.data.medic.find((d) => d.type === 'person' && typeof d['patient_id'] === 'string'
      && JSON.stringify(d['parent']).includes(victim.facilityId));
    assert.ok(theirs, 'the other branch has a patient with a shortcode');
    const clinic = under(world, attacker.facilityId, 'clinic');
    const parent = { _id: clinic._id, parent: clinic['parent'] };
    const forged = [
      { _id: 'claims-user-id', type: 'person', name: 'A', parent, patient_id: `org.couchdb.user:${victim.name}` },
      { _id: 'claims-shortcode', type: 'person', name: 'B', parent, patient_id: theirs['patient_id'] },
      { _id: String(theirs['patient_id']), type: 'person', name: 'C', parent },
      { _id: 'claims-contact-id', type: 'person', name: 'D', parent, patient_id: theirs._id },
      { _id: 'claims-reserved', type: 'clinic', name: 'E', parent: { _id: attacker.facilityId, parent: clinic['parent'] && (clinic['parent'] as { parent?: unknown }).parent }, place_id: '_all' },
    ];
    const before = await serverState(world);
    assertAllRefused(await pushAs(world, attacker, forged), forged.map((d) => d._id));
    assert.deepEqual(await serverState(world), before, 'the server is unchanged');
    assert.deepEqual(await pulledIds(world.url, attacker), expectedIds(world.data.medic, attacker));
  });

  it('never grants a user id as a shortcode, even from a contact an admin stored', async () => {
    const attacker = world.user('chw11');
    const victim = world.user('chw12');
    const clinic = under(world, attacker.facilityId, 'clinic');
    await world.admin.insert({ _id: 'legacy-claim', type: 'person', name: 'Legacy', parent: { _id: clinic._id, parent: clinic['parent'] }, patient_id: `org.couchdb.user:${victim.name}` });
    const pulled = await pulledIds(world.url, attacker);
    assert.equal(pulled.has(`org.couchdb.user:${victim.name}`), false, 'the other CHW\'s user-settings stay theirs');
    assert.deepEqual(pulled, new Set([...expectedIds(world.data.medic, attacker), 'legacy-claim']));
  });
});
