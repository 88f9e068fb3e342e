import assert from 'node:assert/strict';
import type { FeedResponse } from '../../lib/sync/protocol.js';
import { attackWorld } from '../security/gateway-attacker.js';
import type { AttackWorld } from '../security/gateway-attacker.js';
import { feed, sorted, who } from './feed.js';
import { secondGateway } from './safety.js';

describe('gateway _changes: nothing a gateway holds in memory is needed for a cursor', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  beforeEach(async () => { w = await attackWorld(); });
  afterEach(async () => { await w.stop(); });

  it('answers an old cursor on a new gateway with the visible changes, and fieldsync_verify when removals may be missing', async () => {
    const me = who(w, 'chw11');
    const cursor = (await feed(w, me, 'since=now')).last_seq;
    const mine = w.world.data.medic.find((d) => d.type === 'person' && w.visibleTo('chw11').has(d._id) && !w.visibleTo('chw12').has(d._id))!;
    const theirs = w.invisibleTo('chw11', 'person');
    const written = await w.world.admin.insert({ ...(await w.world.admin.get(mine._id)), name: 'After restart' });
    await w.world.admin.insert({ ...(await w.world.admin.get(theirs)), name: 'Not mine' });
    const second = await secondGateway(w.world, {});
    try {
      const url = `${second.origin}/${encodeURIComponent(w.world.db)}/_changes`;
      const answer = await w.request(me, 'GET', `${url}?since=${encodeURIComponent(cursor)}&removals=true`);
      assert.equal(answer.status, 200, answer.text);
      const body = answer.json as FeedResponse;
      assert.deepEqual(body.results.map((e) => [e.id, e.changes.map((c) => c.rev)]), [[mine._id, [written.rev]]]);
      assert.equal(body.fieldsync_verify, true);
      // Its own cursor is in its window: exact again, nothing to verify.
      const next = await w.request(me, 'GET', `${url}?since=${encodeURIComponent(body.last_seq)}&removals=true`);
      const nextBody = next.json as FeedResponse;
      assert.deepEqual(nextBody.results, []);
      assert.equal(nextBody.fieldsync_verify, undefined);
      // And the first gateway takes the second's cursor.
      assert.deepEqual((await feed(w, me, `since=${encodeURIComponent(nextBody.last_seq)}`)).results, []);
    } finally {
      await second.close();
    }
  });

  it('answers since=0 on a new gateway exactly as on the first', async () => {
    const me = who(w, 'supervisor1');
    const first = await feed(w, me, 'since=0');
    const second = await secondGateway(w.world, {});
    try {
      const answer = await w.request(me, 'GET', `${second.origin}/${encodeURIComponent(w.world.db)}/_changes?since=0`);
      assert.deepEqual(sorted((answer.json as FeedResponse).results.map((e) => e.id)), sorted(first.results.map((e) => e.id)));
    } finally {
      await second.close();
    }
  });
});
