import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backOffDelay, DEFAULT_BACK_OFF } from '../../lib/sync/protocol.js';
import { createSyncClient } from '../../lib/sync/client/index.js';
import type { SyncError } from '../../lib/sync/client/index.js';
import { memoryPouch } from '../support/pouch.js';
import { warmSyncWorld } from './world.js';
import type { SyncWorld } from './world.js';

describe('live sync back-off', function () {
  this.timeout(15_000);

  it('never waits more than 30 s between retries with the default back-off, jitter included', () => {
    fc.assert(fc.property(fc.nat(1_000), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, random) => {
      const delay = backOffDelay(attempt, random, DEFAULT_BACK_OFF);
      return delay > 0 && delay <= 30_000;
    }), { seed: 15_009, numRuns: 500 });
    assert.ok(backOffDelay(50, 0.999_999) <= 30_000, 'the longest delay');
    assert.equal(backOffDelay(0, 0.5), DEFAULT_BACK_OFF.initialMs, 'the first retry after 1 s');
  });

  describe('with a live client', () => {
    let world: SyncWorld;
    before(async function () {
      this.timeout(240_000);
      world = await warmSyncWorld();
    });
    after(async () => { await world.stop(); });

  it('retries at once when the device writes during a back-off, so the write reaches the server', async () => {
    {
      const me = world.user('chw11');
      const local = memoryPouch<Record<string, unknown>>();
      // A back-off far longer than this test may run: only the local write can wake the retry.
      const client = createSyncClient({ local, url: world.url, auth: { username: me.name, password: me.password }, backOff: { initialMs: 120_000, maxMs: 120_000, jitter: 0 } });
      await world.kill();
      const failed = new Promise<SyncError>((resolve) => client.on('error', resolve));
      const upToDate = new Promise<void>((resolve) => client.on('state', (state) => { if (state === 'up-to-date') resolve(); }));
      client.start();
      try {
        assert.equal((await failed).kind, 'offline');
        await world.revive();
        await local.put({ _id: 'written-during-back-off', type: 'data_record', form: 'home_visit', reported_date: 1, contact: { _id: me.contactId }, fields: {} });
        await upToDate;
        const { rows } = await world.admin.fetch({ keys: ['written-during-back-off'] });
        assert.ok(rows.some((row) => 'doc' in row && row.doc), 'the write reached the server');
      } finally {
        await client.stop();
      }
    }
  });
  });
});
