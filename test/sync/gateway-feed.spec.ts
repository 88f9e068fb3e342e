import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { DigestResponse, IdsResponse } from '../../lib/sync/protocol.js';
import { attackWorld } from '../security/gateway-attacker.js';
import type { AttackWorld } from '../security/gateway-attacker.js';
import { feed, listedIds, sorted, walk, who } from './feed.js';

describe('gateway _changes: a per-user feed of exactly what the user may see', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  before(async () => { w = await attackWorld(); });
  after(async () => { await w.stop(); });

  for (const name of ['chw11', 'supervisor1']) {
    it(`lists from since=0 exactly the documents ${name} may see`, async () => {
      const answer = await feed(w, who(w, name), 'since=0');
      assert.deepEqual(sorted(listedIds(answer.results)), sorted(w.visibleTo(name)));
      assert.equal(answer.pending, 0);
      assert.equal(typeof answer.last_seq, 'string');
      for (const entry of answer.results) assert.ok(entry.changes.length > 0 && !entry.removed && !entry.deleted);
    });
  }

  it('answers since=now with nothing, then exactly the one visible change written after it', async () => {
    const me = who(w, 'chw11');
    const now = await feed(w, me, 'since=now');
    assert.deepEqual(now.results, []);
    const patient = w.world.data.medic.find((doc) => doc.type === 'person' && w.visibleTo('chw11').has(doc._id) && doc._id !== w.world.user('chw11').contactId)!;
    const stored = await w.world.admin.get(patient._id);
    const written = await w.world.admin.insert({ ...stored, name: 'Renamed' });
    // A document nobody sees changes too: it must not show.
    await w.world.admin.insert({ _id: `nobody-${Date.now()}`, type: 'nothing' });
    const after = await feed(w, me, `since=${encodeURIComponent(now.last_seq)}`);
    assert.deepEqual(after.results.map((e) => [e.id, e.changes.map((c) => c.rev)]), [[patient._id, [written.rev]]]);
    const again = await feed(w, me, `since=${encodeURIComponent(after.last_seq)}`);
    assert.deepEqual(again.results, []);
  });

  it('gives the same entries walked one at a time (resuming from every entry) as in one page', async () => {
    const me = who(w, 'chw12');
    const whole = await feed(w, me, 'since=0');
    const walked = await walk(w, me, '0', '', 1);
    assert.deepEqual(walked.entries.map((e) => e.id), whole.results.map((e) => e.id));
    // Resuming from any entry gives exactly the entries after it.
    for (const at of [0, 7, whole.results.length - 2]) {
      const rest = await feed(w, me, `since=${encodeURIComponent(whole.results[at]!.seq)}`);
      assert.deepEqual(rest.results.map((e) => e.id), whole.results.slice(at + 1).map((e) => e.id));
    }
  });

  it('answers _fieldsync/digest as sha256 over the sorted "id rev" lines of exactly the pull list', async () => {
    const me = who(w, 'chw11');
    const list = (await w.request(me, 'GET', '_fieldsync/ids')).json as IdsResponse;
    const answer = await w.request(me, 'GET', '_fieldsync/digest');
    assert.equal(answer.status, 200, answer.text);
    const expected = createHash('sha256').update(list.rows.map((r) => `${r.id} ${r.rev}\n`).join('')).digest('hex');
    assert.deepEqual(answer.json, { digest: expected, count: list.rows.length });
    const other = (await w.request(who(w, 'chw12'), 'GET', '_fieldsync/digest')).json as DigestResponse;
    assert.notEqual(other.digest, expected);
  });
});
