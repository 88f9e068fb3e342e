import assert from 'node:assert/strict';
import { testCouch } from '../support/server.js';
import type { TestCouch } from '../support/server.js';
import { memoryPouch, PouchDB } from '../support/pouch.js';

interface Doc { _id: string; _rev?: string; n?: number; kind?: string }

async function request(couch: TestCouch, method: string, path: string, body?: unknown, auth: string | null = couch.adminAuthHeader): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth) headers['authorization'] = auth;
  const res = await fetch(`${couch.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function assertAlive(couch: TestCouch): Promise<void> {
  const { status } = await request(couch, 'GET', '/');
  assert.equal(status, 200, 'the server still answers');
}

/**
 * Runs `fn` and fails if the process saw an uncaught exception meanwhile or just after: the
 * server runs in this process, so a crash of the server shows up here rather than as a dead port.
 */
async function withoutCrash(fn: () => Promise<void>): Promise<void> {
  const crashes: unknown[] = [];
  const record = (err: unknown): void => { crashes.push(err); };
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  try {
    await fn();
    await new Promise((resolve) => setTimeout(resolve, 150));
  } finally {
    process.off('uncaughtException', record);
    process.off('unhandledRejection', record);
  }
  assert.deepEqual(crashes.map(String), [], 'no uncaught error');
}

async function createUser(couch: TestCouch, name: string, password: string): Promise<string> {
  const res = await request(couch, 'PUT', `/_users/org.couchdb.user:${name}`, { _id: `org.couchdb.user:${name}`, name, password, roles: [], type: 'user' });
  assert.ok(res.status === 201 || res.status === 202, JSON.stringify(res.json));
  return `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
}

describe('embedded server: the four express-pouchdb defects are fixed', () => {
  let couch: TestCouch;
  before(async () => {
    couch = await testCouch();
  });

  it('keeps replicated updates and conflicts on a database with a validate_doc_update', async () => {
    const name = couch.uniqueDbName('vdu');
    const server = couch.adminPouch<Doc>(name);
    await server.put({ _id: '_design/rules', validate_doc_update: 'function (newDoc) { if (newDoc.n === -1) throw({ forbidden: "negative" }); }' } as Doc);
    await server.put({ _id: 'a', n: 1 });
    const device = memoryPouch<Doc>();
    await device.replicate.from(server);
    const local = await device.get('a');
    await device.put({ ...local, n: 2 });
    const push = await device.replicate.to(server);
    assert.equal(push.docs_written, 1);
    assert.equal((await server.get('a')).n, 2, 'the replicated update landed');

    // A concurrent edit on each side becomes a conflict on both, not a silent loss.
    const serverDoc = await server.get('a');
    await server.put({ ...serverDoc, n: 3 });
    const deviceDoc = await device.get('a');
    await device.put({ ...deviceDoc, n: 4 });
    await device.sync(server);
    const onServer = await server.get('a', { conflicts: true });
    const onDevice = await device.get('a', { conflicts: true });
    assert.equal(onServer._conflicts?.length, 1);
    assert.equal(onServer._rev, onDevice._rev, 'both sides pick the same winner');
    await server.destroy();
  });

  it('serves POST _changes?filter=_selector instead of crashing', async () => {
    const name = couch.uniqueDbName('selector');
    const server = couch.adminPouch<Doc>(name);
    await server.bulkDocs([{ _id: 'x1', kind: 'x' }, { _id: 'y1', kind: 'y' }, { _id: 'x2', kind: 'x' }]);
    await withoutCrash(async () => {
      const res = await request(couch, 'POST', `/${name}/_changes?filter=_selector`, { selector: { kind: 'x' } });
      assert.equal(res.status, 200);
      const ids = (res.json as { results: { id: string }[] }).results.map((r) => r.id).sort();
      assert.deepEqual(ids, ['x1', 'x2']);
    });
    // And PouchDB's own selector replication pulls only the matching docs.
    const device = memoryPouch<Doc>();
    await device.replicate.from(server, { selector: { kind: 'y' } });
    assert.deepEqual((await device.allDocs()).rows.map((r) => r.id), ['y1']);
    await assertAlive(couch);
    await server.destroy();
  });

  it('answers 404 for a filter naming a missing design doc and stays up', async () => {
    const name = couch.uniqueDbName('missing-filter');
    const server = couch.adminPouch<Doc>(name);
    await server.put({ _id: 'a' });
    await withoutCrash(async () => {
      const res = await request(couch, 'GET', `/${name}/_changes?filter=nothere/byKind`);
      assert.equal(res.status, 404);
      const longpoll = await request(couch, 'GET', `/${name}/_changes?feed=longpoll&filter=nothere/byKind`);
      assert.equal(longpoll.status, 404);
    });
    await assertAlive(couch);
    await server.destroy();
  });

  it('refuses a non-admin PUT /db with 401 and stays up', async () => {
    const userAuth = await createUser(couch, couch.uniqueDbName('dbmaker'), 'secret-pw');
    await withoutCrash(async () => {
      const anonymous = await request(couch, 'PUT', `/${couch.uniqueDbName('anon')}`, undefined, null);
      assert.equal(anonymous.status, 401);
      const asUser = await request(couch, 'PUT', `/${couch.uniqueDbName('user')}`, undefined, userAuth);
      assert.ok([401, 403].includes(asUser.status), `status ${asUser.status}`);
    });
    await assertAlive(couch);
  });

  it('makes new databases admin-only, as CouchDB 3 does', async () => {
    const name = couch.uniqueDbName('private');
    assert.equal((await request(couch, 'PUT', `/${name}`)).status, 201);
    const security = (await request(couch, 'GET', `/${name}/_security`)).json as { members?: { roles?: string[] } };
    assert.deepEqual(security.members?.roles, ['_admin']);
    const userAuth = await createUser(couch, couch.uniqueDbName('reader'), 'secret-pw');
    assert.ok([401, 403].includes((await request(couch, 'GET', `/${name}`, undefined, userAuth)).status));
    assert.ok([401, 403].includes((await request(couch, 'GET', `/${name}/_all_docs`, undefined, null)).status));
    assert.ok([401, 403].includes((await request(couch, 'PUT', `/${name}/doc`, { a: 1 }, userAuth)).status));
    assert.equal((await request(couch, 'GET', `/${name}`)).status, 200, 'the admin still reads it');
    await request(couch, 'DELETE', `/${name}`);
  });
});

describe('embedded server', () => {
  it('refuses to start an admin party: anonymous config changes are refused', async () => {
    const couch = await testCouch();
    const res = await request(couch, 'PUT', '/_config/admins/intruder', 'pw', null);
    assert.equal(res.status, 401);
  });

  it('is a CouchDB PouchDB can replicate with over HTTP', async () => {
    const couch = await testCouch();
    const name = couch.uniqueDbName('roundtrip');
    const server = couch.adminPouch<Doc>(name);
    const device = memoryPouch<Doc>();
    await device.bulkDocs(Array.from({ length: 50 }, (_, i) => ({ _id: `d${i}`, n: i })));
    await device.replicate.to(server);
    const other = new PouchDB<Doc>(`other-${Date.now()}`, { adapter: 'memory' });
    await other.replicate.from(server);
    assert.equal((await other.info()).doc_count, 50);
    await server.destroy();
  });
});
