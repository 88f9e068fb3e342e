import assert from 'node:assert/strict';
import { createSyncClient } from '../../lib/sync/client/index.js';
import { memoryPouch } from '../support/pouch.js';
import { pulledIds, pushAs, serverState, under } from '../cht/attacker.js';
import { syncWorld } from '../sync/world.js';
import type { SyncWorld } from '../sync/world.js';

describe('security: an attachment stub names only the stored document\'s own attachment (issue 14, item 10)', function () {
  this.timeout(120_000);
  let world: SyncWorld;
  before(async () => { world = await syncWorld(); });
  after(async () => { await world.stop(); });

  it('refuses stubs with another document\'s digest or a made-up one alike, and writes nothing', async () => {
    const attacker = world.user('chw11');
    const victim = world.user('chw12');
    const theirPatient = under(world, victim.facilityId, 'person');
    const myPatient = under(world, attacker.facilityId, 'person');
    await world.admin.insert({
      _id: 'their-photo', type: 'data_record', form: 'home_visit', reported_date: 1, contact: { _id: victim.contactId }, fields: { patient_uuid: theirPatient._id },
      _attachments: { 'photo.txt': { content_type: 'text/plain', data: Buffer.from('their secret').toString('base64') } },
    });
    const stored = await world.admin.get('their-photo') as { _attachments: Record<string, { digest: string }> };
    const digest = stored._attachments['photo.txt']!.digest;
    const report = (id: string, stubDigest: string, rev?: string): Record<string, unknown> => ({
      _id: id, type: 'data_record', form: 'home_visit', reported_date: 2, contact: { _id: attacker.contactId }, fields: { patient_uuid: myPatient._id },
      _attachments: { 'photo.txt': { stub: true, content_type: 'text/plain', digest: stubDigest, revpos: 1 } },
      ...(rev ? { _rev: rev, _revisions: { start: 1, ids: [rev.slice(2)] } } : {}),
    });
    const before = await serverState(world);
    const answers = [
      await pushAs(world, attacker, [report('steal', digest)]),
      await pushAs(world, attacker, [report('probe', 'md5-AAAAAAAAAAAAAAAAAAAAAA==')]),
      await pushAs(world, attacker, [report('steal-replicated', digest, `1-${'b'.repeat(32)}`)], false),
      await pushAs(world, attacker, [{ ...report('their-photo', digest), _rev: (stored as { _rev?: string })._rev }]),
    ];
    const rows = answers.map((a) => (a.body as Array<{ error?: string; reason?: string }>)[0]);
    assert.ok(rows.every((r) => r?.error === 'forbidden'), JSON.stringify(rows));
    assert.equal(new Set(rows.slice(0, 3).map((r) => r?.reason)).size, 1, 'a real and a made-up digest get the same answer');
    assert.deepEqual(await serverState(world), before, 'the server is unchanged');
    const pulled = await pulledIds(world.url, attacker);
    assert.ok(!pulled.has('their-photo') && !pulled.has('steal'));
  });

  it('keeps a device\'s own attachment across edits pushed by the sync client', async () => {
    const me = world.user('chw11');
    const myPatient = under(world, me.facilityId, 'person');
    const local = memoryPouch<Record<string, unknown>>();
    const client = createSyncClient({ local, url: world.url, auth: { username: me.name, password: me.password } });
    await local.put({
      _id: 'my-photo', type: 'data_record', form: 'home_visit', reported_date: 3, contact: { _id: me.contactId }, fields: { patient_uuid: myPatient._id },
      _attachments: { 'photo.txt': { content_type: 'text/plain', data: Buffer.from('mine').toString('base64') } },
    });
    assert.deepEqual((await client.sync()).push.denied, []);
    const doc = await local.get('my-photo');
    await local.put({ ...doc, fields: { patient_uuid: myPatient._id, note: 'edited' } });
    assert.deepEqual((await client.sync()).push.denied, []);
    const onServer = await world.admin.attachment.get('my-photo', 'photo.txt');
    assert.equal(Buffer.from(onServer).toString(), 'mine');
    // A stub of the stored document's own attachment, sent straight to the gateway, is accepted too.
    const current = await world.admin.get('my-photo') as Record<string, unknown> & { _attachments: Record<string, { digest: string }> };
    const answer = await pushAs(world, me, [{ ...current, fields: { patient_uuid: myPatient._id, note: 'again' } }]);
    assert.equal((answer.body as Array<{ ok?: boolean }>)[0]?.ok, true, JSON.stringify(answer.body));
  });
});
