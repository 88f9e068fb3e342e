/**
 * A small browser app that uses every browser-side feature of fieldsync, bundled by bench/bundle.ts
 * to measure what fieldsync adds to a page. Never run; only bundled.
 */
import PouchDB from 'pouchdb-browser';
import indexeddb from 'pouchdb-adapter-indexeddb';
import * as fieldsync from '../lib/index.js';

PouchDB.plugin(indexeddb);
const local = new PouchDB('app', { adapter: 'indexeddb' });

export async function start(): Promise<number> {
  const checker = fieldsync.createConsistencyChecker();
  const all = await local.allDocs({ include_docs: true });
  for (const row of all.rows) checker.add(row.doc);
  return checker.problems().length;
}
