import PouchDB from 'pouchdb';
import memoryAdapter from 'pouchdb-adapter-memory';
import find from 'pouchdb-find';

PouchDB.plugin(memoryAdapter).plugin(find);

let counter = 0;

/** A fresh in-memory PouchDB (Node), unique per call unless a name is given. */
export function memoryPouch<T extends object = object>(name?: string): PouchDB.Database<T> {
  counter += 1;
  return new PouchDB<T>(name ?? `mem-${process.pid}-${counter}`, { adapter: 'memory' });
}

/** The PouchDB constructor the tests use, with the memory adapter and pouchdb-find installed. */
export { PouchDB };
