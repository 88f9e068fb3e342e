import assert from 'node:assert/strict';
import { movePerson, reportBy } from '../sync/stock.js';
import { assertCarriesNone, assertRefused, attackWorld, serverState } from './gateway-attacker.js';
import type { AttackWorld, Who } from './gateway-attacker.js';

describe('gateway GET <doc>/<attachment>: what stock PouchDB fetches for a stub, of visible revisions only', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  let me: Who;
  before(async () => {
    w = await attackWorld();
    const chw = w.world.user('chw11');
    me = { name: chw.name, password: chw.password };
  });
  after(async () => { await w.stop(); });

  it('streams the attachment of a doc the user sees, at the revision asked', async () => {
    const form = await w.world.admin.get('form:home_visit');
    const stored = await w.world.admin.attachment.get('form:home_visit', 'xml');
    const answer = await w.request(me, 'GET', `${encodeURIComponent(form._id)}/xml?rev=${form._rev}`);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.text, stored.toString());
  });

  it('answers an attachment of a doc the user may not see exactly as one of a doc that never existed', async () => {
    const chw = w.world.user('chw11');
    const other = w.world.user('chw12');
    const secret = Buffer.from('attachment-secret-4b2f').toString('base64');
    const { rev } = await w.world.admin.insert({ ...reportBy(other, 'att-hidden-1'), _attachments: { 'n.txt': { content_type: 'text/plain', data: secret } } });
    const visibleOne = { ...reportBy(chw, 'att-moved-1'), _attachments: { 'n.txt': { content_type: 'text/plain', data: secret } } };
    const { rev: firstRev } = await w.world.admin.insert(visibleOne);
    // Then out of reach: a report about a person the user no longer sees.
    const moved = await movePerson(w.world, chw, other, 'moved-secret-0a0a');
    const { rev: movedRev } = await w.world.admin.insert({ ...visibleOne, _rev: firstRev, fields: { patient_uuid: moved.id } });
    const before = await serverState(w.world);
    const missing = await w.request(me, 'GET', `never-existed-9/n.txt?rev=${rev}`);
    assertRefused(missing, 404, 'not_found');
    for (const path of [
      `att-hidden-1/n.txt?rev=${rev}`, 'att-hidden-1/n.txt', `att-moved-1/n.txt?rev=${movedRev}`, 'att-moved-1/n.txt',
      `_design/fieldsync-sync/n.txt`, `att-hidden-1/n.txt?rev=${encodeURIComponent('not a rev')}`,
    ]) {
      const answer = await w.request(me, 'GET', path);
      assert.deepEqual({ status: answer.status, json: answer.json }, { status: missing.status, json: missing.json }, path);
      assertCarriesNone(answer.text, [secret, 'attachment-secret-4b2f', movedRev], path);
    }
    // The revision the user saw stays readable: the one a stock client was listed.
    const seen = await w.request(me, 'GET', `att-moved-1/n.txt?rev=${firstRev}`);
    assert.equal(seen.status, 200);
    assert.deepEqual(await serverState(w.world), before);
  });
});
