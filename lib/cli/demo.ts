/**
 * `fieldsync demo` (what `npm start` runs): the offline-first flow told with real calls on an
 * in-memory embedded server with the sync gateway: a seeded CHT database, two CHWs and their
 * supervisor syncing devices, an offline report, a forged push refused, access revoked. Each step
 * prints one or two lines a person can follow.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { generateDataSet } from '../seed/dataset.js';
import type { SeedUser } from '../seed/dataset.js';
import { createSyncClient } from '../sync/client/index.js';
import type { Denied, SyncClient } from '../sync/client/index.js';
import { startServerWithGateway } from './gateway.js';

/** Node's PouchDB with the memory adapter: devices in the demo keep nothing on disk. */
function loadPouchDB(): PouchDB.Static {
  const require = createRequire(import.meta.url);
  const PouchDB = require('pouchdb') as PouchDB.Static;
  return PouchDB.plugin<object>(require('pouchdb-adapter-memory') as PouchDB.Plugin);
}

interface Device {
  readonly user: SeedUser;
  readonly local: PouchDB.Database<Record<string, unknown>>;
  readonly client: SyncClient;
}

/** Runs the demo; resolves when every step has run, rejects on the first failure. */
export async function demo(log: (line: string) => void, now: () => number = Date.now): Promise<void> {
  const admin = { username: 'admin', password: randomBytes(9).toString('base64url') };
  const started = await startServerWithGateway({ admin, storage: { kind: 'memory' } });
  const { server } = started;
  const auth = { authorization: `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}`, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown): Promise<void> => {
    const res = await fetch(`${server.url}/${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  };
  try {
    log(`1. embedded CouchDB-compatible server on ${server.url}, sync gateway at ${started.gatewayUrl('medic')}`);
    await started.prepare();
    const anonymous = await fetch(`${server.url}/medic/_all_docs`);
    const data = generateDataSet({ size: 'small', seed: 1, now: now() });
    await post('medic/_bulk_docs', { docs: data.medic });
    await fetch(`${server.url}/_users`, { method: 'PUT', headers: auth });
    for (const user of data.users) await post('_users', user);
    log(`2. seeded "medic": ${data.medic.length} docs and ${data.users.length} users; a direct read without credentials gets ${anonymous.status}`);

    const PouchDB = loadPouchDB();
    const devices: Device[] = data.credentials.map((user) => {
      const local = new PouchDB<Record<string, unknown>>(`device-${user.name}-${now()}`, { adapter: 'memory' });
      return { user, local, client: createSyncClient({ local, url: started.gatewayUrl('medic'), auth: { username: user.name, password: user.password } }) };
    });
    for (const device of devices) {
      const result = await device.client.sync();
      const held = (await device.local.info()).doc_count;
      log(`3. ${device.user.name} (${device.user.role}) synced: ${held} docs on the device, exactly the ${result.pull.listed} the rules allow (state: ${result.state})`);
    }

    const chw = devices.find((d) => d.user.role === 'chw');
    const other = devices.find((d) => d.user.role === 'chw' && d !== chw);
    const supervisor = devices.find((d) => d.user.role === 'supervisor');
    if (!chw || !other || !supervisor) throw new Error('the data set has no two CHWs and a supervisor');
    const patient = (await chw.local.allDocs({ include_docs: true })).rows.find((r) => r.doc?.['type'] === 'person' && r.id !== chw.user.contactId)?.doc;
    await chw.local.put({
      _id: `visit-${now()}`, type: 'data_record', form: 'home_visit', reported_date: now(),
      contact: { _id: chw.user.contactId }, fields: { patient_uuid: patient?._id ?? chw.user.contactId, visited: 'yes' },
    });
    const pushed = await chw.client.sync();
    const seen = await supervisor.client.sync();
    log(`4. ${chw.user.name} wrote a visit report offline, then synced: ${pushed.push.written} pushed; ${supervisor.user.name} pulled ${seen.pull.downloaded} new doc`);

    const theirs = (await other.local.allDocs({ include_docs: true })).rows.find((r) => r.doc?.['type'] === 'person')?.doc;
    await chw.local.put({
      _id: `forged-${now()}`, type: 'data_record', form: 'home_visit', reported_date: now(),
      contact: { _id: chw.user.contactId }, fields: { patient_uuid: theirs?._id ?? 'someone-else' },
    });
    const denied: Denied[] = [];
    const stop = chw.client.on('denied', (d) => denied.push(d));
    await chw.client.sync();
    stop();
    log(`5. a report about a patient of ${other.user.name} was refused: ${denied.map((d) => `${d.id}: ${d.reason}`).join('; ') || 'NOT REFUSED'}`);

    const settingsRes = await fetch(`${server.url}/medic/org.couchdb.user:${chw.user.name}`, { headers: auth });
    const settings = (await settingsRes.json()) as Record<string, unknown>;
    await fetch(`${server.url}/medic/org.couchdb.user:${chw.user.name}`, { method: 'PUT', headers: auth, body: JSON.stringify({ ...settings, facility_id: other.user.facilityId }) });
    let removed = 0;
    chw.client.on('removed', () => { removed += 1; });
    const moved = await chw.client.sync();
    log(`6. ${chw.user.name} was moved to ${other.user.name}'s area: ${removed} docs left the device, ${moved.pull.downloaded} arrived; it now holds ${(await chw.local.info()).doc_count}`);
    log('next: `npx fieldsync serve` runs this server persistently; docs/sync.md shows how an app syncs.');
  } finally {
    await server.close();
  }
  log('done: the embedded server stopped cleanly.');
}
