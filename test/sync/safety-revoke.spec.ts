import assert from 'node:assert/strict';
import type { SyncEvents } from '../../lib/sync/client/index.js';
import { expectedIds, localIds } from './expected.js';
import { device, lostByMove, moveUser, onServer } from './safety.js';
import type { Device } from './safety.js';
import { syncWorld } from './world.js';
import type { SyncWorld } from './world.js';

type Put = PouchDB.Database<Record<string, unknown>>['put'];

/** Makes the device's `put` throw when `fails` says so (a full disk, or the app killed at that write). */
function failPuts(phone: Device, fails: (doc: Record<string, unknown>) => boolean): () => void {
  const local = phone.local as unknown as { put: Put };
  const real = local.put.bind(phone.local);
  local.put = ((doc: Record<string, unknown>, ...rest: never[]) => {
    if (fails(doc)) return Promise.reject(Object.assign(new Error('QuotaExceededError: the disk is full'), { name: 'QuotaExceededError' }));
    return real(doc, ...rest);
  });
  return () => { local.put = real; };
}

/** Counts the device's document writes by id from now on (`_local` docs aside): PouchDB's `put` is a `bulkDocs` too. */
function countWrites(phone: Device): Map<string, number> {
  const counts = new Map<string, number>();
  const local = phone.local as unknown as { bulkDocs: (docs: unknown, ...rest: unknown[]) => Promise<unknown> };
  const bulkDocs = local.bulkDocs.bind(phone.local);
  local.bulkDocs = (docs, ...rest) => {
    for (const doc of Array.isArray(docs) ? docs : (docs as { docs: unknown[] }).docs) {
      const id = String((doc as { _id?: unknown })._id);
      if (!id.startsWith('_local/')) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return bulkDocs(docs, ...rest);
  };
  return counts;
}

describe('revoke and re-grant never hide or lose a document', function () {
  this.timeout(60_000);
  let world: SyncWorld;
  beforeEach(async () => { world = await syncWorld(); });
  afterEach(async () => { await world.stop(); });

  const interruptions = [
    // The removal state only: a feed pull that cannot record its page as in flight removes nothing at all.
    { name: 'the removal bookkeeping cannot be saved', fails: (doc: Record<string, unknown>) => String(doc['_id']).startsWith('_local/fieldsync-removals') },
    { name: 'the app is killed after the second tombstone', fails: (() => { let n = 0; return (doc: Record<string, unknown>) => doc['purged'] === true && ++n > 2; })() },
  ];
  for (const interruption of interruptions) {
    it(`brings every document back on a re-grant after an interrupted revoke (${interruption.name})`, async () => {
      const me = world.user('chw11');
      const phone = device(world, me);
      await phone.client.sync();
      const mine = expectedIds(world.data.medic, me);
      await moveUser(world, me.name, world.user('chw12').facilityId);
      const restore = failPuts(phone, interruption.fails);
      await phone.client.sync().catch(() => undefined);
      restore();
      const held = await localIds(phone.local);
      assert.ok(lostByMove(world, me, world.user('chw12').facilityId).some((id) => !held.has(id)), 'the revoke removed something before it was cut short');
      await moveUser(world, me.name, me.facilityId);
      const back = await phone.client.sync();
      assert.deepEqual([...await localIds(phone.local)].sort(), [...mine].sort(), 'every document is back');
      assert.equal(back.state, 'up-to-date');
      assert.equal((await phone.client.sync()).pull.downloaded, 0, 'and nothing is downloaded again');
    });
  }

  it('never pushes back the server\'s own documents after a re-grant cut short before it was recorded', async () => {
    const me = world.user('chw11');
    const phone = device(world, me);
    await phone.client.sync();
    const mine = expectedIds(world.data.medic, me);
    const lost = lostByMove(world, me, world.user('chw12').facilityId);
    await moveUser(world, me.name, world.user('chw12').facilityId);
    await phone.client.sync();
    const revsOnServer = async (): Promise<Array<string | undefined>> =>
      Promise.all(lost.map(async (id) => (await onServer(world, id))?.['_rev'] as string | undefined));
    const before = await revsOnServer();
    await moveUser(world, me.name, me.facilityId);
    // The re-grant writes the documents back, then cannot record which local revisions stand for the server's.
    const restore = failPuts(phone, (doc) => doc['_id'] === '_local/fieldsync-removals'
      && Object.keys(doc['restoring'] as object).length === 0 && Object.keys(doc['restored'] as object).length > 0);
    await phone.client.sync().catch(() => undefined);
    restore();
    const back = await phone.client.sync();
    assert.equal(back.state, 'up-to-date');
    assert.equal(back.push.written, 0, 'nothing of the server\'s is sent back as the user\'s');
    assert.deepEqual(await revsOnServer(), before, 'no new revision on the server');
    assert.deepEqual([...await localIds(phone.local)].sort(), [...mine].sort());
  });

  it('keeps an edit pending at revoke in the quarantine, with its content, and says so', async () => {
    const me = world.user('chw11');
    const phone = device(world, me);
    await phone.client.sync();
    const elsewhere = world.user('chw12').facilityId;
    const [person] = lostByMove(world, me, elsewhere);
    assert.ok(person);
    const edited = { ...await phone.local.get(person), name: 'Edited offline' };
    const { rev } = await phone.local.put(edited);
    await moveUser(world, me.name, elsewhere);
    const quarantined: Array<SyncEvents['quarantined']> = [];
    phone.client.on('quarantined', (q) => quarantined.push(q));
    const result = await phone.client.sync();
    assert.deepEqual(quarantined.map((q) => [q.id, q.rev, q.doc['name'], q.reason]), [[person, rev, 'Edited offline', 'not-visible']]);
    assert.equal((await localIds(phone.local)).has(person), false, 'the document itself is removed');
    assert.deepEqual((await phone.client.quarantine()).map((q) => [q.id, q.rev, q.doc['name']]), [[person, rev, 'Edited offline']]);
    assert.equal(result.held.quarantined, 1);
    assert.equal((await phone.client.denied()).some((d) => d.id === person), false, 'not pending twice');
    await phone.client.sync();
    assert.equal((await phone.client.quarantine()).length, 1, 'the quarantine lasts until the app releases it');
    await phone.client.releaseQuarantined(person, rev);
    assert.equal((await phone.client.quarantine()).length, 0);
  });

  it('keeps the attachment of an edit pending at revoke in the quarantine, inline', async () => {
    const me = world.user('chw11');
    const phone = device(world, me);
    await phone.client.sync();
    const [person] = lostByMove(world, me, world.user('chw12').facilityId);
    assert.ok(person);
    const photo = Buffer.from('a photo taken offline').toString('base64');
    const edited = { ...await phone.local.get(person), _attachments: { 'photo.jpg': { content_type: 'image/jpeg', data: photo } } };
    const { rev } = await phone.local.put(edited);
    await moveUser(world, me.name, world.user('chw12').facilityId);
    await phone.client.sync();
    const [kept] = await phone.client.quarantine();
    assert.ok(kept);
    assert.equal(kept.rev, rev);
    const attachments = kept.doc['_attachments'] as Record<string, { data?: unknown; stub?: unknown }> | undefined;
    assert.equal(attachments?.['photo.jpg']?.data, photo, 'the photo itself, not a stub pointing at a removed document');
  });

  it('syncs after a re-grant when the app wrote a removed id again, and pushes that write', async () => {
    const me = world.user('chw11');
    const phone = device(world, me);
    await phone.client.sync();
    const elsewhere = world.user('chw12').facilityId;
    const [person] = lostByMove(world, me, elsewhere);
    assert.ok(person);
    const original = await phone.local.get(person);
    await moveUser(world, me.name, elsewhere);
    await phone.client.sync();
    assert.equal((await localIds(phone.local)).has(person), false);
    const { _rev: _ignored, ...body } = original;
    await phone.local.put({ ...body, name: 'Written again by the app' });
    await moveUser(world, me.name, me.facilityId);
    const back = await phone.client.sync();
    assert.equal(back.state, 'up-to-date');
    assert.equal((await phone.local.get(person))['name'], 'Written again by the app', 'the app\'s write is kept');
    assert.equal((await onServer(world, person))?.['name'], 'Written again by the app', 'and pushed');
  });

  it('downloads and writes each re-granted document once', async () => {
    const me = world.user('chw11');
    const phone = device(world, me);
    await phone.client.sync();
    await moveUser(world, me.name, world.user('chw12').facilityId);
    await phone.client.sync();
    const requested: string[] = [];
    phone.beforeFetch = (url, init) => {
      if (url.includes('/_bulk_get')) requested.push(...(JSON.parse(typeof init?.body === 'string' ? init.body : '{"docs":[]}') as { docs: Array<{ id: string }> }).docs.map((d) => d.id));
    };
    await moveUser(world, me.name, me.facilityId);
    const before = Number((await phone.local.info()).update_seq);
    const writes = countWrites(phone);
    const back = await phone.client.sync();
    assert.ok(requested.length > 5);
    assert.equal(new Set(requested).size, requested.length, 'no document requested twice');
    assert.equal(back.pull.downloaded, requested.length);
    for (const id of requested) assert.equal(writes.get(id), 1, `${id} written once`);
    // The move back also revokes the other area: one tombstone per document removed.
    assert.equal(Number((await phone.local.info()).update_seq) - before, requested.length + back.pull.removed, 'one local write per document');
  });
});
