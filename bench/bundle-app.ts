/**
 * A small browser app that uses every browser-side feature of fieldsync, bundled by bench/bundle.ts
 * to measure what fieldsync adds to a page. Never run; only bundled.
 */
import PouchDB from 'pouchdb-browser';
import indexeddb from 'pouchdb-adapter-indexeddb';
import * as fieldsync from '../lib/index.js';

PouchDB.plugin(indexeddb);
const local = new PouchDB('app', { adapter: 'indexeddb' });

/** Syncs, hydrates what arrived, checks consistency and minifies before a write. */
export async function start(): Promise<number> {
  const sync = fieldsync.createSyncClient({ local, url: '/fieldsync/medic' });
  sync.on('progress', ({ done, total }) => { document.title = `${done}/${total}`; });
  await sync.sync();
  await fieldsync.installShortcodeIndex(local);
  const all = await local.allDocs({ include_docs: true });
  const docs = all.rows.flatMap((row) => (row.doc ? [row.doc as unknown as fieldsync.StoredDoc] : []));
  const { docs: hydrated } = await fieldsync.hydrate(docs, fieldsync.pouchSource(local));
  const checker = fieldsync.createConsistencyChecker();
  for (const doc of hydrated) checker.add(fieldsync.minify(doc));
  return checker.problems().length;
}
