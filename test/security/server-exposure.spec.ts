/**
 * Issue 14, items 1-3: the embedded server's CouchDB API answers server admins only. Devices reach
 * the sync gateway; anybody else reaches the welcome page and `_session`, nothing more.
 * These attacks target the embedded server (Apache CouchDB has its own, different exposure rules).
 */
import assert from 'node:assert/strict';
import { testCouch } from '../support/server.js';
import type { TestCouch } from '../support/server.js';
import { assertNothingLeaked, assertRefused, basic, createUser, SECRET, send, sessionName, snapshot, withoutCrash } from './server-attack.js';

interface Attacker { readonly label: string; readonly auth: string | null }

describe('embedded server: the CouchDB API answers server admins only', function () {
  let couch: TestCouch;
  let db: string;
  let attackers: Attacker[];
  let victimName: string;
  let userName: string;
  const dbs = (): string[] => [db, '_users'];

  before(async function () {
    couch = await testCouch();
    if (!couch.embedded) this.skip();
    db = couch.uniqueDbName('medic');
    const admin = couch.adminAuthHeader;
    assert.equal((await send(couch, 'PUT', `/${db}`, admin)).status, 201);
    await send(couch, 'POST', `/${db}/_bulk_docs`, admin, { docs: [
      { _id: 'patient-1', type: 'person', name: SECRET },
      { _id: '_design/medic', views: { all: { map: 'function (doc) { emit(doc._id, doc.name); }' } } },
      { _id: '_local/checkpoint', note: SECRET },
    ] });
    await send(couch, 'PUT', '/_users', admin);
    userName = couch.uniqueDbName('chw').replace(/-/g, '');
    victimName = couch.uniqueDbName('victim').replace(/-/g, '');
    attackers = [
      { label: 'anonymous', auth: null },
      { label: 'a plain user', auth: await createUser(couch, userName, 'user-pass', ['chw']) },
    ];
    await createUser(couch, victimName, 'victim-pass', ['chw']);
  });

  /** Runs each attack as each attacker; every one is refused and no database changes. */
  async function assertAllRefused(attacks: ReadonlyArray<readonly [string, string, unknown?]>): Promise<void> {
    const before = await Promise.all(dbs().map((name) => snapshot(couch, name, name === db ? ['_local/checkpoint'] : [])));
    await withoutCrash(async () => {
      for (const attacker of attackers) {
        for (const [method, path, body] of attacks) {
          const answer = await send(couch, method, path, attacker.auth, body);
          assertRefused(answer, attacker.auth === null, `${attacker.label}: ${method} ${path}`);
        }
      }
    });
    const after = await Promise.all(dbs().map((name) => snapshot(couch, name, name === db ? ['_local/checkpoint'] : [])));
    assert.deepEqual(after, before, 'no database changed');
  }

  it('refuses _find, _bulk_get, _explain and _index on any database, _users included (item 1)', async () => {
    const attacks: Array<readonly [string, string, unknown?]> = [];
    for (const name of dbs()) {
      attacks.push(
        ['POST', `/${name}/_find`, { selector: {} }],
        ['POST', `/${name}/_find`, { selector: { _id: { $gt: null } }, fields: ['_id', 'derived_key', 'salt', 'name'] }],
        ['POST', `/${name}/_bulk_get`, { docs: [{ id: 'patient-1' }, { id: `org.couchdb.user:${victimName}` }] }],
        ['POST', `/${name}/_explain`, { selector: {} }],
        ['GET', `/${name}/_index`],
        ['POST', `/${name}/_index`, { index: { fields: ['type'] }, ddoc: 'planted', name: 'planted' }],
      );
    }
    await assertAllRefused(attacks);
  });

  it('refuses every other database and server route, whatever the method (one rule, not a list of routes)', async () => {
    const attacks: Array<readonly [string, string, unknown?]> = [
      ['GET', '/_all_dbs'], ['GET', '/_config'], ['PUT', '/_config/admins/intruder', '"pw"'], ['GET', '/_uuids'],
      ['POST', '/_replicate', { source: db, target: 'stolen' }], ['GET', '/_active_tasks'], ['GET', '/_db_updates'],
      ['PUT', `/${couch.uniqueDbName('planted')}`],
    ];
    for (const name of dbs()) {
      attacks.push(
        ['GET', `/${name}`], ['GET', `/${name}/_all_docs?include_docs=true`], ['POST', `/${name}/_all_docs`, { keys: ['patient-1'] }],
        ['GET', `/${name}/_changes?include_docs=true`], ['POST', `/${name}/_changes`, {}], ['GET', `/${name}/patient-1`],
        ['GET', `/${name}/_local/checkpoint`], ['PUT', `/${name}/_local/checkpoint`, { note: 'mine' }],
        ['GET', `/${name}/_design/medic/_view/all`], ['POST', `/${name}/_revs_diff`, { 'patient-1': ['1-x'] }],
        ['POST', `/${name}/_bulk_docs`, { docs: [{ _id: 'planted' }] }], ['PUT', `/${name}/planted`, { a: 1 }],
        ['POST', `/${name}`, { _id: 'planted' }], ['DELETE', `/${name}/patient-1`], ['GET', `/${name}/_security`],
        ['PUT', `/${name}/_security`, { members: { names: [], roles: [] } }], ['POST', `/${name}/_compact`],
        ['POST', `/${name}/_temp_view`, { map: 'function (doc) { emit(doc._id, doc); }' }], ['DELETE', `/${name}`],
      );
    }
    await assertAllRefused(attacks);
  });

  it('never lets a user reach /_users/<own id>: no roles for oneself, no users made, nobody locked out (item 2)', async () => {
    const own = `org.couchdb.user:${userName}`;
    const victim = `org.couchdb.user:${victimName}`;
    const current = await send(couch, 'GET', `/_users/${own}`, couch.adminAuthHeader);
    const rev = (current.json as { _rev: string })._rev;
    await assertAllRefused([
      ['GET', `/_users/${own}`],
      ['PUT', `/_users/${own}`, { _id: own, _rev: rev, type: 'user', name: userName, roles: ['chw', 'supervisor'], password: 'user-pass' }],
      ['PUT', '/_users/org.couchdb.user:minion', { _id: 'org.couchdb.user:minion', type: 'user', name: 'minion', roles: ['supervisor'], password: 'x' }],
      ['POST', '/_users/_bulk_docs', { new_edits: false, docs: [{ _id: victim, _rev: '1-0123456789abcdef0123456789abcdef', type: 'user', name: victimName, roles: [], password: 'locked' }] }],
      ['PUT', `/_users/_security`, { admins: { names: [userName], roles: [] } }],
    ]);
    assert.equal(await sessionName(couch, basic(victimName, 'victim-pass')), victimName, 'the victim still signs in');
    const session = await send(couch, 'GET', '/_session', basic(userName, 'user-pass'));
    assert.deepEqual((session.json as { userCtx: unknown }).userCtx, { name: userName, roles: ['chw'] }, 'the attacker has the roles an admin gave');
  });

  it('refuses anonymous sign-up: PUT, POST and _bulk_docs on _users create no account (item 3)', async () => {
    const id = 'org.couchdb.user:newcomer';
    const user = { _id: id, type: 'user', name: 'newcomer', roles: [], password: 'newcomer-pass' };
    const anonymousOnly = attackers;
    attackers = anonymousOnly.filter((a) => a.auth === null);
    try {
      await assertAllRefused([['PUT', `/_users/${id}`, user], ['POST', '/_users', user], ['POST', '/_users/_bulk_docs', { docs: [user] }]]);
    } finally {
      attackers = anonymousOnly;
    }
    assert.equal(await sessionName(couch, basic('newcomer', 'newcomer-pass')), null, 'no account was made');
  });

  it('keeps open what the gateway and browsers need: the welcome page and _session, with a SameSite cookie', async () => {
    const welcome = await send(couch, 'GET', '/', null);
    assert.equal(welcome.status, 200);
    assert.equal(await sessionName(couch, basic(userName, 'user-pass')), userName, 'GET /_session tells who a user is');
    const anonymous = await send(couch, 'GET', '/_session', null);
    assert.deepEqual((anonymous.json as { userCtx: unknown }).userCtx, { name: null, roles: [] });
    const login = await send(couch, 'POST', '/_session', null, { name: userName, password: 'user-pass' });
    assert.equal(login.status, 200, login.text);
    assertNothingLeaked(login, 'POST /_session');
    const cookie = login.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^AuthSession=[^;]+;/);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    const byCookie = await fetch(`${couch.url}/_session`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    assert.equal(((await byCookie.json()) as { userCtx: { name: string } }).userCtx.name, userName, 'the cookie signs the user in');
    const withCookie = await fetch(`${couch.url}/${db}/_all_docs`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    assert.equal(withCookie.status, 403, 'a signed-in user still has no CouchDB API');
    assert.ok(!(await withCookie.text()).includes(SECRET));
    const logout = await send(couch, 'DELETE', '/_session', null);
    assert.equal(logout.status, 200);
    const wrong = await send(couch, 'POST', '/_session', null, { name: userName, password: 'wrong' });
    assert.equal(wrong.status, 401);
  });

  it('still serves everything to the server admin', async () => {
    const admin = couch.adminAuthHeader;
    assert.equal((await send(couch, 'POST', `/${db}/_find`, admin, { selector: { type: 'person' } })).status, 200);
    assert.equal((await send(couch, 'GET', `/_users/org.couchdb.user:${userName}`, admin)).status, 200);
    assert.equal((await send(couch, 'GET', '/_all_dbs', admin)).status, 200);
    const login = await send(couch, 'POST', '/_session', null, { name: couch.admin.username, password: couch.admin.password });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const byCookie = await fetch(`${couch.url}/${db}/_all_docs`, { headers: { cookie } });
    assert.equal(byCookie.status, 200, 'an admin signed in with a cookie is an admin');
  });
});
