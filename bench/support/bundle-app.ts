/**
 * A small browser app that uses every browser-side feature of fieldsync, bundled by bench/bundle.ts
 * to measure what fieldsync adds to a page. Never run; only bundled.
 */
import PouchDB from 'pouchdb-browser';
import indexeddb from 'pouchdb-adapter-indexeddb';
import * as fieldsync from '../../lib/index.js';

PouchDB.plugin(indexeddb);
const local = new PouchDB('app', { adapter: 'indexeddb' });

/** Syncs, decodes and hydrates what arrived, computes tasks and targets, minifies before a write. */
export async function start(): Promise<number> {
  const sync = fieldsync.createSyncClient({ local, url: '/fieldsync/medic' });
  sync.on('progress', ({ done, total }) => { document.title = `${done}/${total}`; });
  await sync.sync();
  await fieldsync.installShortcodeIndex(local);
  const all = await local.allDocs({ include_docs: true });
  const docs = all.rows.flatMap((row) => (row.doc ? [row.doc as unknown as fieldsync.StoredDoc] : []));
  const { docs: hydrated } = await fieldsync.hydrate(docs, fieldsync.pouchSource(local));
  const valid = docs.filter((doc) => fieldsync.decodeDoc(doc)._tag === 'Right');
  const dates = fieldsync.calendarDates();
  const rule = fieldsync.definitionRule([{ name: 'visit', appliesTo: 'contacts', events: [{ days: 30 }], actions: [{ form: 'home_visit' }] }], dates);
  const emissions = fieldsync.emissionsFor([rule], valid.map((contact) => ({ contact, reports: [] })));
  const { writes } = fieldsync.planTaskWrites({ user: fieldsync.asUserSettingsId('org.couchdb.user:chw'), now: Date.now(), dates, existing: [], emissions });
  const store = new fieldsync.TargetStore([{ id: 'visits', type: 'count' }], { from: 0, to: Date.now() });
  store.replace('me', fieldsync.targetRule([{ id: 'visits', type: 'count', appliesTo: 'reports' }])({ contact: { _id: 'me' }, reports: [] }, Date.now()));
  const checker = fieldsync.createConsistencyChecker();
  for (const doc of hydrated) checker.add(fieldsync.minify(doc));
  return checker.problems().length + writes.length + store.values().length + fieldsync.PHR_CATALOGUE.size;
}
