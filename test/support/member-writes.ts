/**
 * A database member's direct writes, judged by the database's `validate_doc_update`.
 *
 * On Apache CouchDB (COUCH_URL) members may write to a database directly, so the writes go over
 * HTTP with the member's credentials. The embedded server's CouchDB API answers server admins only
 * (docs/server.md), so there the writes are judged by the same validation engine the embedded server
 * runs (pouchdb-validation), in process, on a copy of the database's design docs, with the member's
 * user context; and the direct HTTP write is checked to be refused.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import Nano from 'nano';
import { PouchDB } from './pouch.js';
import { withCredentials } from './server.js';
import type { TestCouch } from './server.js';

/** Writes as one member; a refusal rejects with the HTTP status CouchDB would answer in `statusCode`. */
export interface MemberWriter {
  insert(doc: Record<string, unknown>): Promise<unknown>;
}

interface ValidatingDb { validatingPut(doc: object, options: object): Promise<unknown> }

/** The member `name` (password `password`, `roles`) of `db`, which already holds its design docs. */
export async function memberWriter(couch: TestCouch, db: string, user: { name: string; password: string; roles: readonly string[] }): Promise<MemberWriter> {
  const overHttp = Nano(withCredentials(couch.url, user.name, user.password)).use<Record<string, unknown>>(db);
  if (!couch.embedded) return { insert: (doc) => overHttp.insert(doc) };
  await assert.rejects(overHttp.insert({ _id: 'direct-write' }), (err: { statusCode?: number }) => err.statusCode === 403, 'the embedded server refuses a member\'s direct write');
  const design = await Nano(couch.adminUrl).use<Record<string, unknown>>(db).list({ startkey: '_design/', endkey: '_design0', include_docs: true });
  const fromExpressPouch = createRequire(createRequire(import.meta.url).resolve('express-pouchdb'));
  const Validating = (PouchDB.defaults({}) as PouchDB.Static).plugin(fromExpressPouch('pouchdb-validation') as PouchDB.Plugin);
  const local = new Validating<Record<string, unknown>>(`member-writes-${db}`, { adapter: 'memory' });
  await local.bulkDocs(design.rows.flatMap((row) => (row.doc ? [row.doc] : [])), { new_edits: false });
  const validating = local as unknown as ValidatingDb;
  return {
    insert: (doc) => validating.validatingPut(doc, { userCtx: { db, name: user.name, roles: [...user.roles] } })
      .catch((err: { status?: number }) => { throw Object.assign(new Error(JSON.stringify(err)), { statusCode: err.status }); }),
  };
}
