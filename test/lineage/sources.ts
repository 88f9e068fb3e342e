/** The three places hydrate reads from in tests: PouchDB in memory, PouchDB over HTTP, nano. */
import Nano from 'nano';
import { installShortcodeIndexNano, nanoSource } from '../../lib/sources/nano.js';
import { installShortcodeIndex, pouchSource } from '../../lib/sources/pouchdb.js';
import type { DocSource, StoredDoc } from '../../lib/sources/types.js';
import { memoryPouch } from '../support/pouch.js';
import { testCouch } from '../support/server.js';

/** Makes a fresh source holding `docs`. */
export type SourceFactory = (docs: readonly StoredDoc[], deleted?: readonly string[]) => Promise<DocSource>;

async function load(db: PouchDB.Database, docs: readonly StoredDoc[], deleted: readonly string[]): Promise<void> {
  await db.bulkDocs(docs.map((d) => ({ ...d })));
  for (const id of deleted) {
    const doc = await db.get(id);
    await db.remove(doc);
  }
}

/** Every source kind, by name. */
export const SOURCES: ReadonlyArray<readonly [string, SourceFactory]> = [
  ['PouchDB (memory)', async (docs, deleted = []) => {
    const db = memoryPouch();
    await load(db, docs, deleted);
    await installShortcodeIndex(db);
    return pouchSource(db);
  }],
  ['PouchDB over HTTP to the test server', async (docs, deleted = []) => {
    const couch = await testCouch();
    const name = couch.uniqueDbName('lineage');
    const db = couch.adminPouch(name);
    await db.info();
    await load(db, docs, deleted);
    await installShortcodeIndex(db);
    return pouchSource(db);
  }],
  ['nano against the test server', async (docs, deleted = []) => {
    const couch = await testCouch();
    const name = couch.uniqueDbName('lineage-nano');
    const server = Nano(couch.adminUrl);
    await server.db.create(name);
    const db = server.use<object>(name);
    await db.bulk({ docs: docs.map((d) => ({ ...d })) });
    for (const id of deleted) {
      const doc = await db.get(id);
      await db.destroy(id, doc._rev);
    }
    await installShortcodeIndexNano(db);
    return nanoSource(db);
  }],
];
