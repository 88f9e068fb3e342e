/**
 * `fieldsync demo` (what `npm start` runs): the offline-first flow, told with real calls on an
 * in-memory embedded server. Each step prints one or two lines a person can follow.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { startEmbeddedServer } from '../embedded-server/index.js';

type Doc = { _id: string; _rev?: string; type: string; name?: string; reported_date?: number; parent?: { _id: string } };

/** Node's PouchDB with the memory adapter: devices in the demo keep nothing on disk. */
function loadPouchDB(): PouchDB.Static {
  const require = createRequire(import.meta.url);
  const PouchDB = require('pouchdb') as PouchDB.Static;
  return PouchDB.plugin<object>(require('pouchdb-adapter-memory') as PouchDB.Plugin);
}

/** Runs the demo; resolves when every step has run, rejects on the first failure. */
export async function demo(log: (line: string) => void, now: () => number = Date.now): Promise<void> {
  const admin = { username: 'admin', password: randomBytes(9).toString('base64url') };
  const server = await startEmbeddedServer({ admin, storage: { kind: 'memory' } });
  const auth = { authorization: `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}` };
  try {
    log(`1. embedded CouchDB-compatible server on ${server.url} (in memory, admin account set, no admin party)`);
    const created = await fetch(`${server.url}/medic`, { method: 'PUT', headers: auth });
    const anonymous = await fetch(`${server.url}/medic/_all_docs`);
    log(`2. database "medic" created (${created.status}); anonymous read refused with ${anonymous.status}: new databases are admin-only`);

    const PouchDB = loadPouchDB();
    const remote = new PouchDB<Doc>(`${server.url}/medic`, { auth: { username: admin.username, password: admin.password } });
    const at = now();
    await remote.bulkDocs([
      { _id: 'district-1', type: 'district_hospital', name: 'District One', reported_date: at },
      { _id: 'hc-1', type: 'health_center', name: 'Health Centre One', parent: { _id: 'district-1' }, reported_date: at },
      { _id: 'person-1', type: 'person', name: 'Amina', parent: { _id: 'hc-1' }, reported_date: at },
    ]);
    const device = new PouchDB<Doc>(`device-${at}`, { adapter: 'memory' });
    const pulled = await device.replicate.from(remote, { batch_size: 500 });
    log(`3. a device pulled ${pulled.docs_written} documents into its own PouchDB`);
    await device.put({ _id: `report-${at}`, type: 'data_record', name: 'visit', reported_date: at });
    const pushed = await device.replicate.to(remote);
    log(`4. offline edit pushed back: ${pushed.docs_written} document written, server now holds ${(await remote.info()).doc_count}`);
  } finally {
    await server.close();
  }
  log('done: the embedded server stopped cleanly.');
}
