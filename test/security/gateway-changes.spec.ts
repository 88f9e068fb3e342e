import assert from 'node:assert/strict';
import { assertRefused, attackWorld, serverState } from './gateway-attacker.js';
import type { AttackWorld, Who } from './gateway-attacker.js';

// Far longer than the gateway's bound below: an answer that has not come by then never would.
const HANG = 8_000;

describe('gateway _fieldsync/changes: waits are bounded and parameters checked', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  let attacker: Who;
  beforeEach(async () => {
    w = await attackWorld({ maxWaitMs: 300 });
    const me = w.world.user('chw11');
    attacker = { name: me.name, password: me.password };
  });
  afterEach(async () => { await w.stop(); });

  for (const since of ['abc', '999999999999', '0', 'now', '12-g1AAAAKzeJzLYWBg4MhgTmHgz8tPSTV0MDQy1zMAQsMckEQiQ1L9____szKYE1lzgQLsJiapZilmptgUALV8XaU']) {
    for (const timeout of ['0', '100000000', undefined]) {
      it(`answers since=${since.slice(0, 16)} timeout=${String(timeout)} by the gateway's bound`, async () => {
        const before = await serverState(w.world);
        const query = `since=${encodeURIComponent(since)}${timeout === undefined ? '' : `&timeout=${timeout}`}`;
        const answer = await w.request(attacker, 'GET', `_fieldsync/changes?${query}`, { signal: AbortSignal.timeout(HANG) });
        // CouchDB may refuse a sequence it cannot read; anything else is a bounded answer.
        if (answer.status === 400) assertRefused(answer, 400);
        else {
          assert.equal(answer.status, 200, answer.text);
          const body = answer.json as { changed: unknown; last_seq: unknown };
          assert.equal(typeof body.changed, 'boolean');
          assert.equal(typeof body.last_seq, 'string');
        }
        assert.deepEqual(await serverState(w.world), before);
      });
    }
  }

  const malformed: Array<[string, string]> = [
    ['a timeout that is not a number', 'since=now&timeout=abc'],
    ['a negative timeout', 'since=now&timeout=-5'],
    ['a fractional timeout', 'since=now&timeout=1.5'],
    ['an empty since', 'since=&timeout=10'],
    ['a since with a control character', `since=${encodeURIComponent('12\n3')}&timeout=10`],
    ['a since with a space', `since=${encodeURIComponent('12 3')}&timeout=10`],
    ['a since of 10,000 characters', `since=${'9'.repeat(10_000)}&timeout=10`],
  ];
  for (const [what, query] of malformed) {
    it(`refuses ${what} with 400`, async () => {
      const answer = await w.request(attacker, 'GET', `_fieldsync/changes?${query}`, { signal: AbortSignal.timeout(HANG) });
      assertRefused(answer, 400, 'bad_request');
    });
  }

  it('answers changed when the database changed since the sequence given', async () => {
    const info = (await w.json(attacker, 'GET', '')).json as { update_seq: unknown };
    await w.world.admin.insert({ _id: 'a-change', type: 'nothing' });
    const answer = await w.request(attacker, 'GET', `_fieldsync/changes?since=${encodeURIComponent(String(info.update_seq))}&timeout=250`, { signal: AbortSignal.timeout(HANG) });
    assert.equal(answer.status, 200);
    assert.equal((answer.json as { changed: boolean }).changed, true);
  });
});

describe('gateway _fieldsync/changes: a user cannot hold more than a few waits open', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  before(async () => { w = await attackWorld({ maxWaitMs: 20_000 }); });
  after(async () => { await w.stop(); });

  it('refuses the fifth concurrent wait of one user with 429, and frees a slot when a wait ends', async () => {
    const me = w.world.user('chw11');
    const attacker = { name: me.name, password: me.password };
    const controllers = Array.from({ length: 5 }, () => new AbortController());
    const waits = controllers.map((c) => w.request(attacker, 'GET', '_fieldsync/changes?since=now&timeout=20000', { signal: c.signal }).catch(() => undefined));
    // The refused one answers at once; the others wait for a change that does not come.
    const first = await Promise.race(waits);
    assert.ok(first);
    assertRefused(first, 429, 'too_many_requests');
    // Another user is not affected by this one's waits.
    const other = w.world.user('chw12');
    const theirs = await w.request({ name: other.name, password: other.password }, 'GET', '_fieldsync/changes?since=now&timeout=10');
    assert.equal(theirs.status, 200);
    for (const c of controllers) c.abort();
    await Promise.all(waits);
    // Closed connections give their slots back (the gateway sees the close a moment later).
    const until = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < until) {
      status = (await w.request(attacker, 'GET', '_fieldsync/changes?since=now&timeout=10')).status;
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(status, 200);
  });
});
