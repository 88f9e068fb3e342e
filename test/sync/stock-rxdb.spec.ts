import assert from 'node:assert/strict';
import { createRxDatabase } from 'rxdb';
import type { RxCollection, RxDatabase } from 'rxdb';
import { getFetchWithCouchDBAuthorization, replicateCouchDB } from 'rxdb/plugins/replication-couchdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import type { SeedUser } from '../../lib/seed/dataset.js';
import { reportBy, visibleDoc, visibleNow } from './stock.js';
import { syncWorld } from './world.js';
import type { SyncWorld } from './world.js';

/** Any CouchDB document, keyed by its id under `id` (RxDB moves `_id` there). */
const schema = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: { id: { type: 'string', maxLength: 1000 } },
  required: ['id'],
} as const;

type Docs = RxCollection<{ id: string }>;

let counter = 0;
/** Collections whose replication failed: closing their database would wait for ever. */
const stuck = new WeakSet<Docs>();

/** RxDB's CouchDB replication has no attachments: the forms' are dropped before RxDB stores them. */
function withoutAttachments(doc: { id: string; _deleted: boolean; _attachments?: unknown }): { id: string; _deleted: boolean } {
  const { _attachments: _dropped, ...rest } = doc;
  return rest;
}

/** A fresh RxDB database in memory with one collection for the CouchDB docs. */
async function rxDevice(): Promise<{ docs: Docs; remove: () => Promise<void> }> {
  counter += 1;
  const db: RxDatabase = await createRxDatabase({ name: `stock-rx-${process.pid}-${counter}`, storage: getRxStorageMemory(), multiInstance: false });
  const { docs } = await db.addCollections({ docs: { schema } });
  const typed = docs as unknown as Docs;
  return { docs: typed, remove: async () => { if (!stuck.has(typed)) await db.remove(); } };
}

/**
 * One pull of RxDB's CouchDB replication from the gateway as `user`, until RxDB calls it in sync;
 * the first error RxDB reports fails it (RxDB would retry for ever). Every `since` it sent, in order.
 */
async function rxPull(world: SyncWorld, user: SeedUser, docs: Docs): Promise<string[]> {
  const sinces: string[] = [];
  let last = 'none';
  const authorized = getFetchWithCouchDBAuthorization(user.name, user.password);
  const fetch = (async (url: string, init?: RequestInit) => {
    const since = new URL(url).searchParams.get('since');
    if (since !== null) sinces.push(since);
    const response = await authorized(url, init);
    last = `${response.status} ${(await response.clone().text()).slice(0, 300)}`;
    return response;
  }) as typeof globalThis.fetch;
  const replication = replicateCouchDB<{ id: string }>({
    replicationIdentifier: `gateway-${user.name}`,
    collection: docs,
    url: `${world.url}/`,
    fetch,
    live: false,
    waitForLeadership: false,
    // RxDB's CouchDB replication has no attachments: it drops them (the forms carry some).
    pull: { batchSize: 25, modifier: withoutAttachments },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const failed = replication.error$.subscribe((err) => reject(new Error(`RxDB replication failed (${err.code}); the gateway's last answer: ${last}`)));
      replication.awaitInitialReplication().then(resolve, reject).finally(() => failed.unsubscribe());
    });
  } catch (err) {
    // cancel() and closing the database wait for a start that never ends while RxDB retries: stop it
    // at once and leave the database to the garbage collector.
    stuck.add(docs);
    await replication._cancel();
    throw err;
  }
  await replication.cancel();
  return sinces;
}

async function rxIds(docs: Docs): Promise<string[]> {
  return (await docs.find().exec()).map((doc) => doc.primary).sort();
}

describe('RxDB CouchDB replication through the gateway', function () {
  this.timeout(120_000);
  let world: SyncWorld;
  before(async () => { world = await syncWorld(); });
  after(async () => { await world.stop(); });

  for (const name of ['chw11', 'supervisor1']) {
    it(`pulls exactly the docs the rules give ${name}`, async () => {
      const user = world.user(name);
      const { docs, remove } = await rxDevice();
      try {
        await rxPull(world, user, docs);
        assert.deepEqual(await rxIds(docs), [...(await visibleNow(world, user))].sort());
      } finally {
        await remove();
      }
    });
  }

  it('resumes from its checkpoint: brings a new visible write and a deletion, never an invisible write', async () => {
    const me = world.user('chw11');
    const other = world.user('chw12');
    const { docs, remove } = await rxDevice();
    try {
      await rxPull(world, me, docs);
      const victim = await visibleDoc(world, me, 'data_record');
      const { _rev } = await world.admin.get(victim._id);
      await world.admin.destroy(victim._id, _rev);
      await world.admin.insert(reportBy(other, 'rx-invisible-1', { notes: 'not-for-chw11' }));
      await world.admin.insert(reportBy(me, 'rx-visible-1'));
      const sinces = await rxPull(world, me, docs);
      assert.notEqual(sinces[0] ?? '0', '0', 'resumed from the stored checkpoint');
      const held = await rxIds(docs);
      assert.ok(held.includes('rx-visible-1'));
      assert.ok(!held.includes('rx-invisible-1'));
      assert.ok(!held.includes(victim._id), 'the deletion reached RxDB');
      assert.deepEqual(held, [...(await visibleNow(world, me))].sort());
    } finally {
      await remove();
    }
  });
});
