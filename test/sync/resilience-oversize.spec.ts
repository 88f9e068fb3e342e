import assert from 'node:assert/strict';
import { createSyncClient } from '../../lib/sync/client/index.js';
import type { Denied } from '../../lib/sync/client/index.js';
import { memoryPouch } from '../support/pouch.js';
import { urlOf } from './faults.js';
import { warmSyncWorld } from './world.js';
import type { SyncWorld } from './world.js';

/**
 * A fetch for a server that keeps no push checkpoints (as after a restore): every push attempt starts
 * again from the device's first change, so the order in which PouchDB lets documents through is
 * nothing like the order of the last batch.
 */
const forgetfulServer: typeof fetch = async (input, init) => {
  const url = urlOf(input);
  if (!url.includes('/_local/')) return fetch(input, init);
  if ((init?.method ?? 'GET') === 'GET') return Response.json({ error: 'not_found', reason: 'missing' }, { status: 404 });
  return Response.json({ ok: true, id: decodeURIComponent(new URL(url).pathname.split('/').slice(-2).join('/')), rev: '0-1' }, { status: 201 });
};

interface Scenario {
  readonly name: string;
  /** Positions of the large documents among `count`. */
  readonly large: readonly number[];
  readonly count: number;
  readonly batchSize: number;
  readonly forgetful: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'the large one first, one batch', large: [0], count: 12, batchSize: 50, forgetful: false },
  { name: 'the large one in the middle, batches of 4, no checkpoints', large: [6], count: 12, batchSize: 4, forgetful: true },
  { name: 'the large one last, one batch, no checkpoints', large: [11], count: 12, batchSize: 50, forgetful: true },
  { name: 'two large ones, batches of 5', large: [2, 8], count: 12, batchSize: 5, forgetful: false },
];

describe('push of documents larger than the server accepts', function () {
  // Without checkpoints every attempt diffs the device's 70 documents again, one round trip each at batch size 1.
  this.timeout(60_000);
  let world: SyncWorld;
  before(async function () {
    this.timeout(240_000);
    world = await warmSyncWorld({ maxBodyBytes: 40_000 });
  });
  after(async () => { await world.stop(); });

  for (const scenario of SCENARIOS) {
    it(`denies exactly the large documents and writes every small one: ${scenario.name}`, async () => {
      const me = world.user('chw11');
      const local = memoryPouch<Record<string, unknown>>();
      const client = createSyncClient({
        local, url: world.url, auth: { username: me.name, password: me.password }, batchSize: scenario.batchSize,
        ...(scenario.forgetful ? { fetch: forgetfulServer } : {}),
      });
      await client.sync();
      const prefix = `size-${SCENARIOS.indexOf(scenario)}-`;
      const ids = Array.from({ length: scenario.count }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);
      const large = new Set(scenario.large.map((i) => ids[i]));
      for (const [i, _id] of ids.entries()) {
        const note = large.has(_id) ? 'x'.repeat(60_000) : `small ${i}`;
        await local.put({ _id, type: 'data_record', form: 'home_visit', reported_date: i, contact: { _id: me.contactId }, fields: { note } });
      }
      const denied: Denied[] = [];
      client.on('denied', (d) => denied.push(d));
      const result = await client.sync();
      assert.deepEqual(denied.map((d) => d.id).sort(), [...large].sort(), 'exactly the large documents are denied');
      assert.ok(denied.every((d) => d.reason === 'larger than the server accepts (413)'));
      assert.equal(result.push.written, ids.length - large.size);
      const { rows } = await world.admin.fetch({ keys: ids });
      const onServer = rows.flatMap((row) => ('doc' in row && row.doc ? [row.id] : []));
      assert.deepEqual(onServer.sort(), ids.filter((id) => !large.has(id)).sort(), 'every small document is on the server');
    });
  }
});
