import assert from 'node:assert/strict';
import { chtReplicationKeys, shortcodeOf } from '../../lib/cht/keys.js';
import type { AnyDoc } from '../../lib/sync/rules.js';
import type { SeedUser } from '../../lib/seed/dataset.js';
import { asUser, assertAllRefused, pulledIds, pushAs, seeded, serverState, under } from '../cht/attacker.js';
import { expectedIds } from '../sync/expected.js';
import { syncWorld } from '../sync/world.js';
import type { SyncWorld } from '../sync/world.js';

/** What a user of depth 0 may hold: docs filed under their facility, their contact, their id or `_all`. */
function atDepthZero(docs: readonly AnyDoc[], user: SeedUser): Set<string> {
  const keys = new Set(['_all', `org.couchdb.user:${user.name}`]);
  for (const id of [user.facilityId, user.contactId]) {
    keys.add(id);
    const doc = docs.find((d) => d._id === id);
    const code = doc ? shortcodeOf(doc) : undefined;
    if (code) keys.add(code);
  }
  return new Set(docs.filter((doc) => chtReplicationKeys(doc).some((k) => keys.has(k))).map((d) => d._id));
}

describe('security: private and needs_signoff reports as cht-core files them (issue 14, item 17)', function () {
  this.timeout(180_000);
  let world: SyncWorld;
  before(async () => { world = await syncWorld({ rules: { depthByRole: { supervisor: 0 } } }); });
  after(async () => { await world.stop(); });

  it('hides a private report about a CHW\'s own place by someone they do not see, and shows the rest', async () => {
    const chw = world.user('chw11');
    const boss = world.user('supervisor1');
    const bossContact = seeded(world, boss.contactId);
    const chwContact = seeded(world, chw.contactId);
    const patient = under(world, under(world, chw.facilityId, 'clinic')._id, 'person');
    const report = (id: string, author: AnyDoc, fields: Record<string, unknown>): AnyDoc => ({
      _id: id, type: 'data_record', form: 'assessment', reported_date: 5, contact: { _id: author._id, parent: author['parent'] }, fields: { private: true, ...fields },
    });
    const aboutMyPlace = report('private-about-my-place', bossContact, { place_id: chw.facilityId });
    const aboutMyPatient = report('private-about-my-patient', bossContact, { patient_uuid: patient._id });
    const mineAboutMyPlace = report('private-mine-about-my-place', chwContact, { place_id: chw.facilityId });
    for (const doc of [aboutMyPlace, aboutMyPatient, mineAboutMyPlace]) await world.admin.insert(doc);
    const pulled = await pulledIds(world.url, chw);
    assert.deepEqual(pulled, new Set([...expectedIds(world.data.medic, chw), aboutMyPatient._id, mineAboutMyPlace._id]));
    // Asking for it by id and revision gets nothing either.
    const rev = (await world.admin.get(aboutMyPlace._id))._rev;
    const answer = await asUser(world.url, chw, 'POST', '_bulk_get', { docs: [{ id: aboutMyPlace._id, rev }] });
    assert.ok(!JSON.stringify(answer.body).includes('"fields"'), 'the private report\'s content is not answered');
  });

  it('files a report that needs signoff under its author\'s hierarchy, and refuses one with a forged author lineage', async () => {
    const chw = world.user('chw11');
    const boss = world.user('supervisor1');
    const chwContact = seeded(world, chw.contactId);
    const patient = under(world, under(world, chw.facilityId, 'clinic')._id, 'person');
    const visit = (id: string, fields: Record<string, unknown>, author: unknown = { _id: chwContact._id, parent: chwContact['parent'] }): AnyDoc => ({
      _id: id, type: 'data_record', form: 'home_visit', reported_date: 6, contact: author, fields: { patient_uuid: patient._id, ...fields },
    });
    const signoff = visit('needs-signoff', { needs_signoff: true });
    const plain = visit('plain-visit', {});
    const written = await pushAs(world, chw, [signoff, plain]);
    assert.deepEqual((written.body as Array<{ ok?: boolean }>).map((r) => r.ok), [true, true], JSON.stringify(written.body));
    const forged = [
      visit('forged-signoff', { needs_signoff: 'true' }, { _id: chwContact._id, parent: { _id: 'other-centre', parent: { _id: 'other-district' } } }),
      visit('forged-author', { needs_signoff: true }, { _id: 'someone-else', parent: { _id: 'other-district' } }),
    ];
    const before = await serverState(world);
    assertAllRefused(await pushAs(world, chw, forged), forged.map((d) => d._id));
    assert.deepEqual(await serverState(world), before, 'the server is unchanged');
    const current = (await world.admin.list({ include_docs: true })).rows.flatMap((r) => (r.doc ? [r.doc as unknown as AnyDoc] : []));
    const bossPulled = await pulledIds(world.url, boss);
    assert.ok(bossPulled.has(signoff._id), 'the supervisor above the author gets the report that needs signoff');
    assert.ok(!bossPulled.has(plain._id), 'and not the one that does not');
    assert.deepEqual(bossPulled, new Set([...atDepthZero(current.filter((d) => !String(d['_id']).startsWith('private-')), boss)]));
  });
});
