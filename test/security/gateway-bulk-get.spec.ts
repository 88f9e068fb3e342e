import assert from 'node:assert/strict';
import type { SeedDoc } from '../../lib/seed/dataset.js';
import { assertCarriesNone, attackWorld, serverState } from './gateway-attacker.js';
import type { AttackWorld, Who } from './gateway-attacker.js';

interface BulkGetAnswer { results: Array<{ id: string; docs: Array<{ ok?: { _id: string; _rev: string }; error?: unknown }> }> }

describe('gateway _bulk_get: an attacker reads nothing they may not see', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  let attacker: Who;
  beforeEach(async () => {
    w = await attackWorld();
    const me = w.world.user('chw11');
    attacker = { name: me.name, password: me.password };
  });
  afterEach(async () => { await w.stop(); });

  /** Moves a person the attacker may see into another branch, with a secret, as the admin would. */
  async function moveOutOfReach(): Promise<{ id: string; listedRev: string; newRev: string; secret: string }> {
    const me = w.world.user('chw11');
    const visible = w.visibleTo('chw11');
    const person = w.world.data.medic.find((d) => d.type === 'person' && visible.has(d._id) && d._id !== me.contactId);
    assert.ok(person);
    const household = w.world.data.medic.find((d) => d.type === 'clinic' && !visible.has(d._id)) as SeedDoc & { parent: unknown };
    assert.ok(household);
    const list = await w.json(attacker, 'GET', '_fieldsync/ids');
    const listedRev = (list.json as { rows: Array<{ id: string; rev: string }> }).rows.find((r) => r.id === person._id)?.rev;
    assert.ok(listedRev, 'the attacker was listed the person');
    const stored = await w.world.admin.get(person._id);
    const secret = 'moved-away-secret-7f3a';
    const { rev: newRev } = await w.world.admin.insert({ ...stored, parent: { _id: household._id, parent: household.parent }, notes: secret });
    return { id: person._id, listedRev, newRev, secret };
  }

  const latestShapes: Array<{ name: string; query: string; extra: Record<string, unknown> }> = [
    { name: 'latest=true in the query', query: '?latest=true', extra: {} },
    { name: 'latest in the body', query: '', extra: { latest: true } },
    { name: 'latest with revs and attachments', query: '?revs=true&attachments=true&latest=true', extra: {} },
  ];
  for (const shape of latestShapes) {
    it(`never gives the newest revision of a just-listed doc that left the user's area (${shape.name})`, async () => {
      const moved = await moveOutOfReach();
      const before = await serverState(w.world);
      const answer = await w.json(attacker, 'POST', `_bulk_get${shape.query}`, { docs: [{ id: moved.id, rev: moved.listedRev }], ...shape.extra });
      assert.ok(answer.status < 500, `answered ${answer.status}`);
      assertCarriesNone(answer.text, [moved.newRev, moved.secret], '_bulk_get');
      assert.deepEqual(await serverState(w.world), before);
    });
  }

  it('still streams exactly the listed revisions with the options the client sends', async () => {
    const list = await w.json(attacker, 'GET', '_fieldsync/ids');
    const rows = (list.json as { rows: Array<{ id: string; rev: string }> }).rows.slice(0, 5);
    const answer = await w.json(attacker, 'POST', '_bulk_get?revs=true&attachments=true', { docs: rows });
    assert.equal(answer.status, 200);
    const got = (answer.json as BulkGetAnswer).results.flatMap((r) => r.docs.map((d) => [d.ok?._id, d.ok?._rev]));
    assert.deepEqual(got, rows.map((r) => [r.id, r.rev]));
  });

  it('answers an invisible doc exactly as a doc that never existed, without its revision', async () => {
    const hidden = w.invisibleTo('chw11', 'person');
    const { _rev: hiddenRev } = await w.world.admin.get(hidden);
    const missing = 'never-existed-0b1c';
    const before = await serverState(w.world);
    for (const rev of [undefined, hiddenRev, '1-0123456789abcdef0123456789abcdef']) {
      const answer = await w.json(attacker, 'POST', '_bulk_get', { docs: [{ id: hidden, ...(rev ? { rev } : {}) }, { id: missing, ...(rev ? { rev } : {}) }] });
      assert.equal(answer.status, 200);
      const [a, b] = (answer.json as BulkGetAnswer).results;
      assert.ok(a && b);
      assert.deepEqual(JSON.parse(JSON.stringify(a).replaceAll(hidden, 'X')), JSON.parse(JSON.stringify(b).replaceAll(missing, 'X')), 'invisible and missing look alike');
      assert.deepEqual(a.docs, [{ error: { id: hidden, rev: rev ?? 'undefined', error: 'not_found', reason: 'missing' } }]);
      if (rev !== hiddenRev) assertCarriesNone(answer.text, [hiddenRev], '_bulk_get');
    }
    assert.deepEqual(await serverState(w.world), before);
  });

  it('answers a deleted invisible doc as missing too', async () => {
    const hidden = w.invisibleTo('chw11', 'data_record');
    const stored = await w.world.admin.get(hidden);
    const { rev: tombstone } = await w.world.admin.destroy(hidden, stored._rev);
    for (const query of ['', '?latest=true']) {
      const answer = await w.json(attacker, 'POST', `_bulk_get${query}`, { docs: [{ id: hidden }, { id: hidden, rev: stored._rev }] });
      assert.equal(answer.status, 200);
      assertCarriesNone(answer.text, [tombstone], '_bulk_get');
      const docs = (answer.json as BulkGetAnswer).results.flatMap((r) => r.docs);
      assert.deepEqual(docs.map((d) => (d.error as { reason?: string } | undefined)?.reason), ['missing', 'missing']);
    }
  });

  it('never reads another user\'s checkpoint through _bulk_get', async () => {
    const victim = w.world.user('chw12');
    const put = await w.json({ name: victim.name, password: victim.password }, 'PUT', '_local/cp', { last_seq: 'victim-secret-5', type: 'person' });
    assert.equal(put.status, 201);
    const answer = await w.json(attacker, 'POST', '_bulk_get', { docs: [{ id: `_local/fieldsync~${victim.name}~cp` }] });
    assert.ok(answer.status < 500);
    assertCarriesNone(answer.text, ['victim-secret-5'], '_bulk_get');
  });
});
