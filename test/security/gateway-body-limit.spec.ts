import assert from 'node:assert/strict';
import { pushAs, serverState } from '../cht/attacker.js';
import { syncWorld } from '../sync/world.js';
import type { SyncWorld } from '../sync/world.js';

const LIMIT = 40_000;

describe('gateway: a body over the limit is answered 413, however far over it is', function () {
  this.timeout(60_000);
  let world: SyncWorld;
  before(async () => { world = await syncWorld({ maxBodyBytes: LIMIT }); });
  after(async () => { await world.stop(); });

  for (const times of [1.1, 5, 50]) {
    it(`answers a push of ${times} times the limit 413 in CouchDB's format (not a reset), writing nothing`, async () => {
      const me = world.user('chw11');
      const before = await serverState(world);
      const filler = 'x'.repeat(6_000);
      const count = Math.ceil((LIMIT * times) / filler.length);
      const docs = Array.from({ length: count }, (_, i) => ({
        _id: `large-${times}-${i}`, type: 'data_record', form: 'x', contact: { _id: me.contactId }, fields: { filler },
      }));
      const answer = await pushAs(world, me, docs);
      assert.equal(answer.status, 413, JSON.stringify(answer.body));
      assert.equal((answer.body as { error?: string }).error, 'too_large');
      assert.deepEqual(await serverState(world), before);
      // The connection stays usable for what comes next.
      assert.equal((await pushAs(world, me, [])).status, 201);
    });
  }
});
