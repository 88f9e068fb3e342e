import assert from 'node:assert/strict';
import { PHR_CATALOGUE } from '../../lib/phr/index.js';
import { createSyncClient } from '../../lib/sync/client/index.js';
import type { Denied } from '../../lib/sync/client/index.js';
import { memoryPouch } from '../support/pouch.js';
import { sampleDoc } from './data.js';
import { phrWorld } from './world.js';
import type { PhrWorld } from './world.js';

async function held(db: PouchDB.Database): Promise<Array<Record<string, unknown> & { _id: string }>> {
  const { rows } = await db.allDocs({ include_docs: true });
  return rows.flatMap((r) => (r.doc && !r.id.startsWith('_design/') ? [r.doc as unknown as Record<string, unknown> & { _id: string }] : []));
}

describe('PHR sync through the gateway', function () {
  this.timeout(60_000);
  let world: PhrWorld;
  before(async () => { world = await phrWorld(); });
  after(async () => { await world.stop(); });

  it('gives each app user exactly their own documents plus the catalogue, and no secret to anyone', async () => {
    const serverOnly = [...PHR_CATALOGUE.values()].filter((c) => c.policy === 'server-only').map((c) => c.name);
    assert.ok(serverOnly.length >= 7);
    for (const user of world.users) {
      const local = memoryPouch();
      await createSyncClient({ local, url: world.url, auth: { username: user, password: 'pw' } }).sync();
      const docs = await held(local);
      const expected = world.docs.filter((d) => {
        const info = PHR_CATALOGUE.get(String(d['type']));
        return info?.policy === 'catalogue' || (info?.policy === 'owned' && d['owner'] === user);
      }).map((d) => d._id).sort();
      assert.deepEqual(docs.map((d) => d._id).sort(), expected, `${user} holds exactly their docs and the catalogue`);
      assert.equal(docs.filter((d) => serverOnly.includes(String(d['type']))).length, 0, 'zero server-only documents on the device');
      assert.equal(docs.filter((d) => d['owner'] !== undefined && d['owner'] !== user && d['owner'] !== 'shared').length, 0, "zero documents of the other user");
      // 23 owned collections x 2 docs + 5 catalogue collections x 2 docs
      assert.equal(docs.length, expected.length);
    }
  });

  it('rejects forged pushes and leaves the server unchanged', async () => {
    const [me, other] = world.users;
    const local = memoryPouch<Record<string, unknown>>();
    const client = createSyncClient({ local, url: world.url, auth: { username: me, password: 'pw' } });
    await client.sync();
    const before = (await world.admin.list()).rows.map((r) => `${r.id}@${r.value.rev}`);
    const myAddress = await local.get(sampleDoc('deliveryaddresses', me, 1)._id);
    const forged = [
      { ...sampleDoc('carts', other, 7) },                       // another user's document
      { ...sampleDoc('hiukeys', me, 7) },                        // a server-only collection
      { ...sampleDoc('pricings', 'shared', 7) },                 // a catalogue write
      { ...sampleDoc('neworders', me, 7) },                      // owned, but written by the server only
      { ...sampleDoc('carts', other, 1), owner: me },            // taking another user's cart
    ];
    for (const doc of forged) await local.put(doc);
    await local.put({ ...myAddress, owner: other });              // owner changed on an existing document
    const denied: Denied[] = [];
    client.on('denied', (d) => denied.push(d));
    const result = await client.sync();
    assert.equal(result.push.written, 0);
    assert.deepEqual([...new Set(denied.map((d) => d.id))].sort(), [...forged.map((d) => d._id), myAddress._id].sort());
    assert.deepEqual((await world.admin.list()).rows.map((r) => `${r.id}@${r.value.rev}`), before, 'server unchanged');
  });

  it('accepts the owner\'s own writes to collections they may push', async () => {
    const [me] = world.users;
    const local = memoryPouch<Record<string, unknown>>();
    const client = createSyncClient({ local, url: world.url, auth: { username: me, password: 'pw' } });
    await client.sync();
    await local.put(sampleDoc('carts', me, 9));
    const note = await local.get(sampleDoc('notifications', me, 1)._id);
    await local.put({ ...note, read: true });
    const result = await client.sync();
    assert.equal(result.push.written, 2);
    assert.equal(((await world.admin.get(note._id)) as { read?: boolean }).read, true);
  });
});
