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
    const forged = [
      { _id: checkpoint, last_seq: '0' },
      { _id: '_local/plain', note: 'x' },
      { _id: '_design/evil', views: {} },
      { _id: '_users', type: 'person' },
      { _id: '_oddity' },
    ];
    const before = await serverState(world, probes);
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
