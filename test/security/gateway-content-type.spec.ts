import assert from 'node:assert/strict';
import { assertRefused, attackWorld, serverState } from './gateway-attacker.js';
import type { AttackWorld, Who } from './gateway-attacker.js';

// The bodies a cross-site form (or a "simple" fetch) can send without a CORS preflight.
const SIMPLE_TYPES = ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined];

describe('gateway: JSON bodies only under application/json', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  let attacker: Who;
  let report: Record<string, unknown>;
  before(async () => {
    w = await attackWorld();
    const me = w.world.user('chw11');
    attacker = { name: me.name, password: me.password };
    report = { _id: 'csrf-report-1', type: 'data_record', form: 'home_visit', reported_date: 9, contact: { _id: me.contactId }, fields: {} };
  });
  after(async () => { await w.stop(); });

  for (const contentType of SIMPLE_TYPES) {
    it(`refuses every JSON-body endpoint sent as ${contentType ?? 'no content type'} with 415, writing nothing`, async () => {
      const checkpoint = `_local/fieldsync~${w.world.user('chw11').name}~csrf`;
      const before = await serverState(w.world, [checkpoint]);
      const attempts: Array<[string, string, unknown]> = [
        ['POST', '_bulk_docs', { docs: [report] }],
        ['PUT', '_local/csrf', { last_seq: 5 }],
        ['POST', '_revs_diff', { [String(report['_id'])]: ['1-a'] }],
        ['POST', '_bulk_get', { docs: [{ id: String(report['_id']) }] }],
        ['POST', '_fieldsync/gone', { docs: [{ id: String(report['_id']), rev: '1-a' }] }],
      ];
      for (const [method, path, body] of attempts) {
        const answer = await w.request(attacker, method, path, { body: JSON.stringify(body), ...(contentType ? { contentType } : {}) });
        assertRefused(answer, 415, 'bad_content_type');
        assert.equal((answer.json as { reason: string }).reason, 'Content-Type must be application/json');
      }
      assert.deepEqual(await serverState(w.world, [checkpoint]), before);
    });
  }

  it('still accepts application/json with a charset', async () => {
    const answer = await w.request(attacker, 'POST', '_revs_diff', { body: JSON.stringify({ x: ['1-a'] }), contentType: 'application/json; charset=utf-8' });
    assert.equal(answer.status, 200);
  });
});
