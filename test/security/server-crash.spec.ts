/**
 * Issue 14, item 4: no request kills the embedded server, whoever sends it. Each request below once
 * brought the process down (or poisoned it so the next request did); each is now answered in
 * CouchDB's format and the server goes on serving, the attacked database unchanged.
 */
import assert from 'node:assert/strict';
import { testCouch } from '../support/server.js';
import type { TestCouch } from '../support/server.js';
import { assertNothingLeaked, assertRefused, SECRET, send, snapshot, withoutCrash } from './server-attack.js';
import type { Answer } from './server-attack.js';

function assertCouchError(answer: Answer, status: number, what: string): void {
  assert.equal(answer.status, status, `${what}: ${answer.text.slice(0, 300)}`);
  assert.match(answer.headers.get('content-type') ?? '', /json/, `${what}: a JSON body`);
  const body = answer.json as { error?: unknown; reason?: unknown };
  assert.equal(typeof body.error, 'string', what);
  assert.equal(typeof body.reason, 'string', what);
  assert.ok(!answer.text.includes('node_modules'), `${what}: no stack trace`);
  assertNothingLeaked(answer, what);
}

describe('embedded server: no request crashes it', function () {
  let couch: TestCouch;
  let db: string;

  before(async function () {
    couch = await testCouch();
    if (!couch.embedded) this.skip();
  });

  beforeEach(async () => {
    db = couch.uniqueDbName('crash');
    assert.equal((await send(couch, 'PUT', `/${db}`, couch.adminAuthHeader)).status, 201);
    await send(couch, 'PUT', `/${db}/patient-1`, couch.adminAuthHeader, { name: SECRET });
  });

  afterEach(async () => {
    await send(couch, 'DELETE', `/${db}`, couch.adminAuthHeader);
  });

  /** The server answers the admin, the attacked database is as it was, and a new database can be made. */
  async function assertStillServing(before: unknown): Promise<void> {
    assert.deepEqual(await snapshot(couch, db), before, 'the database is unchanged');
    const probe = couch.uniqueDbName('alive');
    assert.equal((await send(couch, 'PUT', `/${probe}`, couch.adminAuthHeader)).status, 201, 'databases still open');
    assert.equal((await send(couch, 'DELETE', `/${probe}`, couch.adminAuthHeader)).status, 200);
  }

  it('answers an anonymous DELETE /<db> with 401 and keeps opening databases afterwards', async () => {
    const before = await snapshot(couch, db);
    await withoutCrash(async () => {
      assertRefused(await send(couch, 'DELETE', `/${db}`, null), true, 'DELETE /db');
      assertRefused(await send(couch, 'DELETE', `/${couch.uniqueDbName('never-made')}`, null), true, 'DELETE /missing');
      await assertStillServing(before);
    });
  });

  it('answers GET /_users/<x>/<y> (an attachment of a system database) with a 4xx, to anybody', async () => {
    const before = await snapshot(couch, db);
    await withoutCrash(async () => {
      assertRefused(await send(couch, 'GET', '/_users/x/y', null), true, 'anonymous');
      assertCouchError(await send(couch, 'GET', '/_users/x/y', couch.adminAuthHeader), 404, 'admin, missing doc');
      assertCouchError(await send(couch, 'GET', `/_users/org.couchdb.user:${couch.admin.username}/y`, couch.adminAuthHeader), 404, 'admin');
      await assertStillServing(before);
    });
  });

  it('refuses documents in _replicator (no server-side replication), for anybody', async () => {
    const before = await snapshot(couch, db);
    const job = { source: db, target: couch.uniqueDbName('copy'), user_ctx: { name: null, roles: [] } };
    await withoutCrash(async () => {
      assertRefused(await send(couch, 'PUT', '/_replicator/job', null, job), true, 'anonymous PUT');
      assertRefused(await send(couch, 'POST', '/_replicator', null, job), true, 'anonymous POST');
      assertCouchError(await send(couch, 'PUT', '/_replicator/job', couch.adminAuthHeader, job), 501, 'admin PUT');
      assertCouchError(await send(couch, 'POST', '/_replicator', couch.adminAuthHeader, { source: 'http://127.0.0.1:1/x', target: db }), 501, 'admin POST');
      assertCouchError(await send(couch, 'GET', '/_replicator', couch.adminAuthHeader), 501, 'admin GET');
      await assertStillServing(before);
    });
  });

  it('answers an anonymous continuous _changes feed at once, and ends an admin\'s when the client leaves', async () => {
    const before = await snapshot(couch, db);
    await withoutCrash(async () => {
      assertRefused(await send(couch, 'GET', `/${db}/_changes?feed=continuous`, null), true, 'anonymous continuous');
      const leaving = new AbortController();
      const response = await fetch(`${couch.url}/${db}/_changes?feed=continuous&heartbeat=50`, {
        // Not compressed: gzip would hold the feed back until a block fills.
        headers: { authorization: couch.adminAuthHeader, 'accept-encoding': 'identity' }, signal: leaving.signal,
      });
      assert.equal(response.status, 200);
      const reader = response.body?.getReader();
      const first = await reader?.read();
      assert.match(Buffer.from(first?.value ?? new Uint8Array()).toString(), /patient-1/, 'the admin gets the feed');
      leaving.abort();
      await reader?.cancel().catch(() => undefined);
      await assertStillServing(before);
    });
  });

  it('answers a malformed request with a JSON 400, never an HTML stack trace', async () => {
    const before = await snapshot(couch, db);
    await withoutCrash(async () => {
      assertCouchError(await send(couch, 'GET', `/${db}/%E0%A4%A`, couch.adminAuthHeader), 400, 'malformed percent-encoding');
      assertCouchError(await send(couch, 'POST', `/${db}/_bulk_docs`, couch.adminAuthHeader, '{"docs": ['), 400, 'malformed JSON');
      assertRefused(await send(couch, 'GET', '/%E0%A4%A', null), true, 'anonymous malformed path');
      await assertStillServing(before);
    });
  });
});
