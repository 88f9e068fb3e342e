import assert from 'node:assert/strict';
import { assertCarriesNone, assertRefused, attackWorld, serverState } from './gateway-attacker.js';
import type { AttackWorld, Who } from './gateway-attacker.js';

interface Gone { rows: Array<{ id: string; reason: string }>; unknown: string[] }

describe('gateway _fieldsync/gone: no oracle of ids the user may not see', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  let attacker: Who;
  before(async () => {
    w = await attackWorld();
    const me = w.world.user('chw11');
    attacker = { name: me.name, password: me.password };
  });
  after(async () => { await w.stop(); });

  it('answers an invisible doc, a deleted invisible doc and a never-existing id alike', async () => {
    const hidden = w.invisibleTo('chw11', 'person');
    const victimSettings = `org.couchdb.user:${w.world.user('chw12').name}`;
    const deleted = w.invisibleTo('chw11', 'data_record');
    const stored = await w.world.admin.get(deleted);
    await w.world.admin.destroy(deleted, stored._rev);
    const revs = [(await w.world.admin.get(hidden))._rev, (await w.world.admin.get(victimSettings))._rev];
    const missing = 'never-existed-77';
    const before = await serverState(w.world);
    const probe = [hidden, victimSettings, deleted, missing];
    const answer = await w.json(attacker, 'POST', '_fieldsync/gone', { docs: probe.map((id) => ({ id, rev: '1-0123456789abcdef0123456789abcdef' })) });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.json, { rows: [], unknown: probe });
    assertCarriesNone(answer.text, revs, 'gone');
    // The old request shape, ids without revisions, is refused rather than answered.
    assertRefused(await w.json(attacker, 'POST', '_fieldsync/gone', { ids: probe }), 400, 'bad_request');
    assert.deepEqual(await serverState(w.world), before);
  });

  it('tells the device about a revision it says it holds, once that doc left its reach', async () => {
    const list = (await w.json(attacker, 'GET', '_fieldsync/ids')).json as { rows: Array<{ id: string; rev: string }> };
    const me = w.world.user('chw11');
    const report = w.world.data.medic.find((d) => d.type === 'data_record' && list.rows.some((r) => r.id === d._id));
    const person = w.world.data.medic.find((d) => d.type === 'person' && d._id !== me.contactId && list.rows.some((r) => r.id === d._id));
    assert.ok(report && person);
    const reportRev = list.rows.find((r) => r.id === report._id)?.rev ?? '';
    const personRev = list.rows.find((r) => r.id === person._id)?.rev ?? '';
    await w.world.admin.destroy(report._id, reportRev);
    const elsewhere = w.world.data.medic.find((d) => d.type === 'clinic' && !w.visibleTo('chw11').has(d._id)) as { _id: string; parent: unknown };
    await w.world.admin.insert({ ...(await w.world.admin.get(person._id)), parent: { _id: elsewhere._id, parent: elsewhere.parent } });
    // A visible doc at a revision the server lacks (an edit the device still has to push, or lost in
    // a server restore) is unknown, so the device keeps and pushes it.
    const mine = list.rows.find((r) => r.id !== report._id && r.id !== person._id && !r.id.startsWith('org.couchdb.user:'));
    assert.ok(mine);
    const answer = await w.json(attacker, 'POST', '_fieldsync/gone', {
      docs: [{ id: report._id, rev: reportRev }, { id: person._id, rev: personRev }, { id: mine.id, rev: '9-0123456789abcdef0123456789abcdef' }],
    });
    assert.equal(answer.status, 200, answer.text);
    const gone = answer.json as Gone;
    assert.deepEqual(gone, { rows: [{ id: report._id, reason: 'deleted' }, { id: person._id, reason: 'not-visible' }], unknown: [mine.id] });
  });

  const malformed: Array<[string, unknown]> = [
    ['a list', [{ id: 'a', rev: '1-a' }]],
    ['docs that are not pairs', { docs: ['a'] }],
    ['a pair without a revision', { docs: [{ id: 'a' }] }],
    ['an id that is not a string', { docs: [{ id: 5, rev: '1-a' }] }],
    ['more than 1000 pairs', { docs: Array.from({ length: 1001 }, (_v, i) => ({ id: `x${i}`, rev: '1-a' })) }],
  ];
  for (const [what, body] of malformed) {
    it(`refuses ${what} with 400`, async () => {
      assertRefused(await w.json(attacker, 'POST', '_fieldsync/gone', body), 400, 'bad_request');
    });
  }
});
