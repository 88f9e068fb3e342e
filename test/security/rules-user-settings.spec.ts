import assert from 'node:assert/strict';
import Nano from 'nano';
import { chtReplicationKeys } from '../../lib/cht/keys.js';
import type { SeedUser } from '../../lib/seed/dataset.js';
import { assertAllRefused, pulledIds, pushAs, serverState, under } from '../cht/attacker.js';
import { syncWorld } from '../sync/world.js';
import type { SyncWorld } from '../sync/world.js';

/** An account an admin made without user-settings (as a PHR user has). */
async function bareAccount(world: SyncWorld, label: string): Promise<SeedUser> {
  const name = `${label}${world.db.split('-').slice(-2).join('')}`;
  await Nano(world.couch.adminUrl).use('_users').insert({ _id: `org.couchdb.user:${name}`, type: 'user', name, password: `${name}-pass`, roles: ['chw'] } as never);
  return { name, password: `${name}-pass`, role: 'chw', facilityId: '', contactId: '' };
}

function publicIds(world: SyncWorld): Set<string> {
  return new Set(world.data.medic.filter((d) => chtReplicationKeys(d).includes('_all')).map((d) => d._id));
}

describe('security: only a real user-settings doc places a user (issue 14, item 6)', function () {
  this.timeout(120_000);
  let world: SyncWorld;
  before(async () => { world = await syncWorld(); });
  after(async () => { await world.stop(); });

  it('refuses a person planted at another account\'s user-settings id, or re-typing one\'s own, and the account syncs only public docs', async () => {
    const attacker = world.user('chw11');
    const victim = await bareAccount(world, 'bare');
    const district = world.data.medic.find((d) => d.type === 'district_hospital');
    const clinic = under(world, attacker.facilityId, 'clinic');
    const mine = await world.admin.get(`org.couchdb.user:${attacker.name}`);
    const forged = [
      { _id: `org.couchdb.user:${victim.name}`, type: 'person', name: 'Planted', facility_id: district?._id, parent: { _id: clinic._id, parent: clinic['parent'] } },
      { ...mine, type: 'person', parent: { _id: clinic._id, parent: clinic['parent'] } },
    ];
    const before = await serverState(world);
    assertAllRefused(await pushAs(world, attacker, forged), forged.map((d) => d._id));
    assert.deepEqual(await serverState(world), before, 'the server is unchanged');
    assert.deepEqual(await pulledIds(world.url, victim), publicIds(world), 'the account still holds public docs only');
  });

  it('ignores a document of another type at a user-settings id, even one an admin wrote', async () => {
    const victim = await bareAccount(world, 'legacy');
    const district = world.data.medic.find((d) => d.type === 'district_hospital');
    await world.admin.insert({ _id: `org.couchdb.user:${victim.name}`, type: 'person', name: 'Look-alike', facility_id: district?._id, parent: { _id: String(district?._id) } });
    const pulled = await pulledIds(world.url, victim);
    assert.deepEqual(pulled, publicIds(world), 'a look-alike grants no district');
  });
});
