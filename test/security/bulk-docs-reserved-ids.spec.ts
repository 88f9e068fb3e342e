import assert from 'node:assert/strict';
import { asUser, assertAllRefused, pushAs, serverState } from '../cht/attacker.js';
import { syncWorld } from '../sync/world.js';
import type { SyncWorld } from '../sync/world.js';

describe('security: _bulk_docs writes no reserved id (issue 14, item 9)', function () {
  this.timeout(120_000);
  let world: SyncWorld;
  before(async () => { world = await syncWorld(); });
  after(async () => { await world.stop(); });

  it('refuses every id starting with _ per document, with or without new_edits, and writes none of them', async () => {
    const attacker = world.user('chw11');
    const victim = world.user('chw12');
    const checkpoint = `_local/fieldsync~${victim.name}~checkpoint`;
    const probes = [checkpoint, '_local/plain', '_local/fieldsync~x'];
    // Shaped as reports the attacker may write, so only the id stands in the way.
    const report = { type: 'data_record', form: 'home_visit', reported_date: 1, contact: { _id: attacker.contactId } };
    const forged = [
      { _id: checkpoint, ...report, last_seq: '0' },
      { _id: '_local/plain', ...report },
      { _id: '_design/evil', views: {} },
      { _id: '_users', ...report },
      { _id: '_oddity', ...report },
    ];
    const before = await serverState(world, probes);
    // _local and _design ids first on their own: CouchDB itself answers 400 to the other reserved ones.
    assertAllRefused(await pushAs(world, attacker, forged.slice(0, 3)), forged.slice(0, 3).map((d) => d._id));
    assert.deepEqual(await serverState(world, probes), before, 'no _local doc was written');
    assertAllRefused(await pushAs(world, attacker, forged), forged.map((d) => d._id));
    const replicated = forged.map((d, i) => ({ ...d, _rev: `1-${String(i).padStart(32, 'a')}`, _revisions: { start: 1, ids: [String(i).padStart(32, 'a')] } }));
    assertAllRefused(await pushAs(world, attacker, replicated, false), forged.map((d) => d._id));
    assert.deepEqual(await serverState(world, probes), before, 'no document and no _local doc changed');
  });

  it('answers a malformed push with 400 in CouchDB\'s format and writes nothing', async () => {
    const attacker = world.user('chw11');
    const before = await serverState(world);
    for (const body of [{ docs: 'x' }, { docs: [1] }, { docs: [{}] }, { docs: [{ _id: '' }] }, { docs: [[]] }, { docs: [{ _id: 7 }] }, []]) {
      const answer = await asUser(world.url, attacker, 'POST', '_bulk_docs', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      const { error, reason } = answer.body as { error?: unknown; reason?: unknown };
      assert.equal(typeof error, 'string');
      assert.equal(typeof reason, 'string');
    }
    assert.deepEqual(await serverState(world), before);
  });
});
