import assert from 'node:assert/strict';
import { createSyncClient } from '../../lib/sync/client/index.js';
import type { Denied } from '../../lib/sync/client/index.js';
import { lineageIds } from '../../lib/validate/consistency.js';
import type { SeedDoc } from '../../lib/seed/dataset.js';
import { memoryPouch } from '../support/pouch.js';
import { syncWorld } from './world.js';
import type { SyncWorld } from './world.js';

type Doc = SeedDoc & { _rev?: string };

function under(world: SyncWorld, facilityId: string, type: string): Doc {
  const found = world.data.medic.find((d) => d.type === type && lineageIds(d['parent']).includes(facilityId));
  if (!found) throw new Error(`no ${type} under ${facilityId}`);
  return found;
}

async function serverSnapshot(world: SyncWorld): Promise<string[]> {
  const { rows } = await world.admin.list();
  return rows.map((row) => `${row.id}@${row.value.rev}`);
}

describe('push through the gateway', function () {
  this.timeout(60_000);
  let world: SyncWorld;
  before(async () => { world = await syncWorld(); });
  after(async () => { await world.stop(); });

  it('rejects every forged write with a reason and leaves the server unchanged', async () => {
    const me = world.user('chw11');
    const other = world.user('chw12');
    const local = memoryPouch<Record<string, unknown>>();
    const client = createSyncClient({ local, url: world.url, auth: { username: me.name, password: me.password } });
    await client.sync();
    const before = await serverSnapshot(world);

    const theirPerson = under(world, other.facilityId, 'person');
    const theirClinic = under(world, other.facilityId, 'clinic');
    const myPerson = await local.get(under(world, me.facilityId, 'person')._id);
    const mySettings = await local.get(`org.couchdb.user:${me.name}`);
    const forged: Array<Record<string, unknown> & { _id: string }> = [
      { _id: 'forged-report', type: 'data_record', form: 'home_visit', reported_date: 1, fields: { patient_uuid: theirPerson._id }, contact: { _id: me.contactId } },
      { _id: 'forged-person', type: 'person', name: 'Intruder', reported_date: 1, parent: { _id: theirClinic._id, parent: theirClinic['parent'] } },
      // Same id as a person of the other branch, re-parented into mine: taking a doc by rewriting its lineage.
      { ...theirPerson, parent: myPerson['parent'] },
      { _id: `task~org.couchdb.user:${other.name}~x~1`, type: 'task', user: `org.couchdb.user:${other.name}`, owner: myPerson._id, state: 'Ready' },
      { _id: 'form:forged', type: 'form', internalId: 'forged' },
      { _id: `org.couchdb.user:${other.name}`, type: 'user-settings', name: other.name, facility_id: me.facilityId, roles: ['chw'] },
      { _id: 'target~2026-11~x~y', type: 'target', owner: theirPerson._id, user: `org.couchdb.user:${me.name}`, targets: [] },
    ];
    for (const doc of forged) {
      const { _rev: _ignored, ...fresh } = doc as Doc;
      await local.put(fresh);
    }
    // Edits of docs I hold: move my person to the other branch; give myself a supervisor role.
    await local.put({ ...myPerson, parent: { _id: theirClinic._id, parent: theirClinic['parent'] } });
    await local.put({ ...mySettings, roles: ['supervisor'] });

    const denied: Denied[] = [];
    client.on('denied', (d) => denied.push(d));
    const result = await client.sync();
    assert.equal(result.push.written, 0, JSON.stringify(denied));
    const expected = [...forged.map((d) => d._id), myPerson._id, mySettings._id].sort();
    assert.deepEqual([...new Set(denied.map((d) => d.id))].sort(), expected);
    assert.ok(denied.every((d) => d.reason.length > 5), 'each denial says why');
    assert.deepEqual(await serverSnapshot(world), before, 'the server is unchanged');
  });

  it('refuses a design doc sent straight to the gateway', async () => {
    const me = world.user('chw11');
    const response = await fetch(`${world.url}/_bulk_docs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${me.name}:${me.password}`)}` },
      body: JSON.stringify({ docs: [{ _id: '_design/evil', views: {} }] }),
    });
    const body = (await response.json()) as Array<{ id: string; error: string }>;
    assert.deepEqual(body.map((r) => [r.id, r.error]), [['_design/evil', 'forbidden']]);
  });

  it('sends everything else when one document is larger than the server accepts, and reports that one', async () => {
    const small = await syncWorld({ maxBodyBytes: 40_000 });
    try {
      const me = small.user('chw11');
      const local = memoryPouch<Record<string, unknown>>();
      const client = createSyncClient({ local, url: small.url, auth: { username: me.name, password: me.password }, batchSize: 50 });
      await client.sync();
      for (let i = 0; i < 30; i += 1) {
        const note = i === 12 ? 'x'.repeat(60_000) : 'ok';
        await local.put({ _id: `r-${String(i).padStart(2, '0')}`, type: 'data_record', form: 'home_visit', reported_date: i, contact: { _id: me.contactId }, fields: { note } });
      }
      const denied: Denied[] = [];
      client.on('denied', (d) => denied.push(d));
      const result = await client.sync();
      assert.deepEqual(denied.map((d) => [d.id, d.reason]), [['r-12', 'larger than the server accepts (413)']]);
      assert.equal(result.push.written, 29);
      const { rows } = await small.admin.fetch({ keys: Array.from({ length: 30 }, (_, i) => `r-${String(i).padStart(2, '0')}`) });
      assert.equal(rows.filter((r) => 'doc' in r && r.doc).length, 29);
    } finally {
      await small.stop();
    }
  });

  it('halves a batch too large together until it fits, not down to one document at a time, and sends all of it', async () => {
    const small = await syncWorld({ maxBodyBytes: 40_000 });
    try {
      const me = small.user('chw11');
      const local = memoryPouch<Record<string, unknown>>();
      const client = createSyncClient({ local, url: small.url, auth: { username: me.name, password: me.password }, batchSize: 32 });
      await client.sync();
      // About 1.5 KB each: 32 make a body over the 40 KB limit, 16 one well under it.
      const ids = Array.from({ length: 40 }, (_, i) => `h-${String(i).padStart(2, '0')}`);
      for (const [i, _id] of ids.entries()) {
        await local.put({ _id, type: 'data_record', form: 'home_visit', reported_date: i, contact: { _id: me.contactId }, fields: { note: 'n'.repeat(1_200) } });
      }
      const result = await client.sync();
      assert.deepEqual(result.push.denied, []);
      assert.equal(result.push.written, 40);
      assert.equal(result.push.batchSize, 16, 'halved once from 32');
      const { rows } = await small.admin.fetch({ keys: ids });
      assert.equal(rows.filter((r) => 'doc' in r && r.doc).length, 40);
    } finally {
      await small.stop();
    }
  });

  it('fails, and does not retry forever, when the server refuses as too large a request that is no batch of documents', async () => {
    const me = world.user('chw11');
    const local = memoryPouch<Record<string, unknown>>();
    const refusing: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.includes('/_revs_diff')) return Response.json({ error: 'too_large', reason: 'the request entity is too large' }, { status: 413 });
      return fetch(input, init);
    };
    const client = createSyncClient({ local, url: world.url, auth: { username: me.name, password: me.password }, fetch: refusing, batchSize: 1 });
    await local.put({ _id: 'refused-as-too-large', type: 'data_record', form: 'home_visit', reported_date: 1, contact: { _id: me.contactId }, fields: {} });
    await assert.rejects(client.sync());
  });

  it('accepts a contact created offline with 105 reports about it in one sync', async () => {
    const me = world.user('chw11');
    const local = memoryPouch<Record<string, unknown>>();
    const client = createSyncClient({ local, url: world.url, auth: { username: me.name, password: me.password } });
    await client.sync();
    const household = under(world, me.facilityId, 'clinic');
    await local.put({ _id: 'newborn', type: 'person', name: 'Newborn', patient_id: '99001', reported_date: 2, parent: { _id: household._id, parent: household['parent'] } });
    for (let i = 0; i < 105; i += 1) {
      const subject = i % 2 === 0 ? { patient_id: '99001' } : { patient_uuid: 'newborn' };
      await local.put({ _id: `visit-${i}`, type: 'data_record', form: 'home_visit', reported_date: 3 + i, fields: subject, contact: { _id: me.contactId } });
    }
    const denied: Denied[] = [];
    client.on('denied', (d) => denied.push(d));
    const result = await client.sync();
    assert.deepEqual(denied, []);
    assert.equal(result.push.written, 106);
    const { rows } = await world.admin.fetch({ keys: ['newborn', ...Array.from({ length: 105 }, (_, i) => `visit-${i}`)] });
    assert.equal(rows.filter((row) => 'doc' in row && row.doc).length, 106);
  });
});
