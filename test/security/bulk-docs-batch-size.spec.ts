import assert from 'node:assert/strict';
import { chtAccessRules } from '../../lib/cht/rules.js';
import { createSyncClient } from '../../lib/sync/client/index.js';
import { memoryPouch } from '../support/pouch.js';
import type { AccessRules } from '../../lib/sync/rules.js';
import { asUser, gatewayWith, pushAs, serverState } from '../cht/attacker.js';
import { syncWorld } from '../sync/world.js';
import type { SyncWorld } from '../sync/world.js';

/**
 * The rules with every document handed to them counted on each property read: the work the write
 * check does, whatever the shape of the port.
 */
function counted<C>(rules: AccessRules<C>): { rules: AccessRules<C>; reads: () => number } {
  let reads = 0;
  const isDoc = (v: unknown): v is object => typeof v === 'object' && v !== null && typeof (v as { _id?: unknown })._id === 'string';
  const wrapDoc = (doc: object): object => new Proxy(doc, { get(target, key, receiver) { reads += 1; return Reflect.get(target, key, receiver) as unknown; } });
  const wrap = (arg: unknown): unknown => {
    if (Array.isArray(arg)) return (arg as unknown[]).map((v) => (isDoc(v) ? wrapDoc(v) : v));
    return isDoc(arg) ? wrapDoc(arg) : arg;
  };
  const proxy = new Proxy(rules, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args.map(wrap)) : value;
    },
  });
  return { rules: proxy, reads: () => reads };
}

describe('security: a push costs work linear in its size and is bounded (issue 14, item 11)', function () {
  this.timeout(180_000);
  let world: SyncWorld;
  before(async () => { world = await syncWorld(); });
  after(async () => { await world.stop(); });

  it('judges n refused contacts with about n times the work of one, not n squared (counted, not timed)', async () => {
    const attacker = world.user('chw11');
    const probe = counted(chtAccessRules() as AccessRules<unknown>);
    const gateway = await gatewayWith(world, probe.rules);
    try {
      // Contacts hanging under each other and under a parent nobody sees: every one refused.
      const work = async (n: number): Promise<number> => {
        const docs = Array.from({ length: n }, (_, i) => ({ _id: `lost-${n}-${i}`, type: 'person', parent: { _id: i === 0 ? 'nowhere' : `lost-${n}-${i - 1}` } }));
        const start = probe.reads();
        const answer = await asUser(gateway.url, attacker, 'POST', '_bulk_docs', { docs });
        assert.ok((answer.body as Array<{ error?: string }>).every((r) => r.error === 'forbidden'));
        return probe.reads() - start;
      };
      const small = await work(100);
      const large = await work(400);
      assert.ok(large / small < 6, `4x the documents cost ${(large / small).toFixed(1)}x the work (quadratic would be 16x)`);
    } finally {
      await gateway.stop();
    }
  });

  it('answers a push of more than 2,000 documents 413 in CouchDB\'s format and writes none', async () => {
    const attacker = world.user('chw11');
    const before = await serverState(world);
    const docs = Array.from({ length: 2_001 }, (_, i) => ({ _id: `bulk-${i}`, type: 'data_record', form: 'x', contact: { _id: attacker.contactId } }));
    const answer = await pushAs(world, attacker, docs);
    assert.equal(answer.status, 413);
    assert.equal((answer.body as { error?: string }).error, 'max_bulk_docs_count_exceeded');
    assert.equal(typeof (answer.body as { reason?: string }).reason, 'string');
    assert.deepEqual(await serverState(world), before);
  });

  it('lets the sync client push more than the bound by halving its batch on the 413', async () => {
    const me = world.user('chw11');
    const local = memoryPouch<Record<string, unknown>>();
    const client = createSyncClient({ local, url: world.url, auth: { username: me.name, password: me.password }, batchSize: 2_100 });
    await local.bulkDocs(Array.from({ length: 2_050 }, (_, i) => ({
      _id: `visit-${i}`, type: 'data_record', form: 'home_visit', reported_date: i, contact: { _id: me.contactId }, fields: {},
    })));
    const result = await client.sync();
    assert.deepEqual(result.push.denied, []);
    assert.equal(result.push.written, 2_050);
    assert.ok(result.push.batchSize <= 2_000, `went through at ${result.push.batchSize}`);
  });
});
