import assert from 'node:assert/strict';
import { assertAllRefused, pushAs, serverState, under } from '../cht/attacker.js';
import { syncWorld } from '../sync/world.js';
import type { SyncWorld } from '../sync/world.js';

describe('security: task and target ids belong to the user (and owner) they name (issue 14, item 16)', function () {
  this.timeout(120_000);
  let world: SyncWorld;
  before(async () => { world = await syncWorld(); });
  after(async () => { await world.stop(); });

  it('refuses squatting another user\'s next task or target id, and that user then writes it', async () => {
    const attacker = world.user('chw11');
    const victim = world.user('chw12');
    const clinic = under(world, attacker.facilityId, 'clinic');
    const myPatient = under(world, clinic._id, 'person');
    const victimUser = `org.couchdb.user:${victim.name}`;
    const targetId = `target~2026-11~${victim.contactId}~${victimUser}`;
    const taskId = `task~${victimUser}~visit~1790000000000`;
    const squats = [
      { _id: taskId, type: 'person', name: 'Squatter', parent: { _id: clinic._id, parent: clinic['parent'] } },
      { _id: targetId, type: 'data_record', form: 'home_visit', reported_date: 1, contact: { _id: attacker.contactId }, fields: { patient_uuid: myPatient._id } },
      { _id: `target~2026-11~${myPatient._id}~${victimUser}`, type: 'target', user: `org.couchdb.user:${attacker.name}`, owner: myPatient._id, reporting_period: '2026-11', targets: [] },
      { _id: `target~2026-11~${myPatient._id}~org.couchdb.user:${attacker.name}`, type: 'target', user: `org.couchdb.user:${attacker.name}`, owner: myPatient._id, reporting_period: '2026-11', targets: [] },
    ];
    const before = await serverState(world);
    assertAllRefused(await pushAs(world, attacker, squats), squats.map((d) => d._id));
    assert.deepEqual(await serverState(world), before, 'the server is unchanged');
    const own = [
      { _id: targetId, type: 'target', user: victimUser, owner: victim.contactId, reporting_period: '2026-11', updated_date: 1, targets: [] },
      { _id: taskId, type: 'task', user: victimUser, owner: victim.contactId, requester: victim.contactId, state: 'Ready', authoredOn: 1790000000000, emission: { _id: 'visit' }, stateHistory: [] },
    ];
    const answer = await pushAs(world, victim, own);
    assert.deepEqual((answer.body as Array<{ ok?: boolean }>).map((r) => r.ok), [true, true], JSON.stringify(answer.body));
  });
});
