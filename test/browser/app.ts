/**
 * The page the browser test loads: PouchDB for browsers on the `indexeddb` adapter (the one with
 * purge) and fieldsync's sync client from the browser entry, driven from the test via `window`.
 */
import PouchDB from 'pouchdb-browser';
import indexedDbAdapter from 'pouchdb-adapter-indexeddb';
import { createSyncClient } from '../../lib/index.js';
import type { SyncEvents } from '../../lib/index.js';

PouchDB.plugin(indexedDbAdapter);

/** What one sync in the page reports back to the test. */
export interface PageSyncResult {
  readonly ids: string[];
  readonly removed: Array<SyncEvents['removed']>;
  readonly state: string;
  readonly written: number;
  readonly adapter: string;
  readonly storage: Array<SyncEvents['storage']>;
  /** How the pull learnt what to fetch: the whole list or the changes feed. */
  readonly via: string;
}

async function syncOnce(url: string, username: string, password: string, dbName: string): Promise<PageSyncResult> {
  const local = new PouchDB(dbName, { adapter: 'indexeddb' });
  const client = createSyncClient({ local: local, url, auth: { username, password } });
  const removed: Array<SyncEvents['removed']> = [];
  const storage: Array<SyncEvents['storage']> = [];
  client.on('removed', (r) => removed.push(r));
  client.on('storage', (s) => storage.push(s));
  const result = await client.sync();
  const { rows } = await local.allDocs();
  const info = await local.info() as { adapter?: string };
  return { ids: rows.map((r) => r.id).filter((id) => !id.startsWith('_design/')), removed, state: result.state, written: result.push.written, adapter: info.adapter ?? '?', storage, via: result.pull.via };
}

(globalThis as unknown as { fieldsyncPage: unknown }).fieldsyncPage = { syncOnce };
