/** The three places hydrate reads from in tests: PouchDB in memory, PouchDB over HTTP, nano. */
import Nano from 'nano';
import { installShortcodeIndexNano, nanoSource } from '../../lib/sources/nano.js';
import type { NanoDbLike } from '../../lib/sources/nano.js';
import { installShortcodeIndex, pouchSource } from '../../lib/sources/pouchdb.js';
import type { PouchLike } from '../../lib/sources/pouchdb.js';
import { shortcodeDesignDoc } from '../../lib/sources/shortcode-index.js';
import type { DocSource, StoredDoc } from '../../lib/sources/types.js';
import { memoryPouch } from '../support/pouch.js';
import { testCouch } from '../support/server.js';

/**
 * How the database is indexed: `full` as installShortcodeIndex installs it today, `shortcode-only`
 * as earlier versions did (no lineage view), `none` without fieldsync's design doc.
 */
export type Indexing = 'full' | 'shortcode-only' | 'none';

/** Makes a fresh source holding `docs`. */
export type SourceFactory = (docs: readonly StoredDoc[], deleted?: readonly string[], indexing?: Indexing) => Promise<DocSource>;

/** The design doc as versions before the lineage view installed it. */
export function shortcodeOnly(): Record<string, unknown> {
  const { _id, views } = shortcodeDesignDoc();
  return { _id, views: { contacts_by_shortcode: views['contacts_by_shortcode'] } };
}

async function index(db: PouchLike, indexing: Indexing): Promise<void> {
  if (indexing === 'full') await installShortcodeIndex(db);
  else if (indexing === 'shortcode-only') await db.put(shortcodeOnly());
}

async function indexNano(db: NanoDbLike, indexing: Indexing): Promise<void> {
  if (indexing === 'full') await installShortcodeIndexNano(db);
  else if (indexing === 'shortcode-only') await db.insert(shortcodeOnly());
}

async function load(db: PouchDB.Database, docs: readonly StoredDoc[], deleted: readonly string[]): Promise<void> {
  await db.bulkDocs(docs.map((d) => ({ ...d })));
  for (const id of deleted) {
    const doc = await db.get(id);
    await db.remove(doc);
  }
}

/** Every source kind, by name. */
export const SOURCES: ReadonlyArray<readonly [string, SourceFactory]> = [
  ['PouchDB (memory)', async (docs, deleted = [], indexing = 'full') => {
    const db = memoryPouch();
    await load(db, docs, deleted);
    await index(db, indexing);
    return pouchSource(db, { lineageView: true });
  }],
  ['PouchDB over HTTP to the test server', async (docs, deleted = [], indexing = 'full') => {
    const couch = await testCouch();
    const name = couch.uniqueDbName('lineage');
    const db = couch.adminPouch(name);
    await db.info();
    await load(db, docs, deleted);
    await index(db, indexing);
    return pouchSource(db);
  }],
  ['nano against the test server', async (docs, deleted = [], indexing = 'full') => {
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
    await indexNano(db, indexing);
    return nanoSource(db);
  }],
];

/** `source` as a port without the lineage view: read by id and through the shortcode view only. */
export function withoutView(source: DocSource): DocSource {
  return {
    getMany: (ids) => source.getMany(ids),
    findByShortcodes: (codes) => source.findByShortcodes(codes),
    get stats() { return source.stats; },
  };
}
