import assert from 'node:assert/strict';
import Nano from 'nano';
import { testCouch, withCredentials } from '../support/server.js';
import { CliError } from '../../lib/cli/output.js';
import { userAdd } from '../../lib/cli/user.js';
import type { UserAddOptions } from '../../lib/cli/user.js';
import { runCli } from './run.js';

interface StoredUser { name: string; roles: string[]; iterations?: number; pbkdf2_prf?: string; password?: string }

async function sessionOf(url: string, name: string, password: string): Promise<{ name: string | null; roles: string[] }> {
  const res = await fetch(`${url}/_session`, { headers: { authorization: `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}` } });
  if (res.status !== 200) return { name: null, roles: [] };
  return ((await res.json()) as { userCtx: { name: string | null; roles: string[] } }).userCtx;
}

describe('fieldsync user add', function () {
  this.timeout(120_000);

  it('makes an account that signs in with its roles, and its CHT user-settings in the given database', async () => {
    const couch = await testCouch();
    const db = couch.uniqueDbName('users-medic');
    const nano = Nano(couch.adminUrl);
    await nano.db.create(db);
    const name = couch.uniqueDbName('nurse').replace(/-/g, '');
    const run = await runCli(['user', 'add', couch.adminUrl, name, '--password', 'nurse-pass', '--roles', 'chw, supervisor', '--facility', 'hc-1', '--contact', 'p-1', '--db', db, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { name, roles: ['chw', 'supervisor'], settingsDb: db });
    assert.deepEqual(await sessionOf(couch.url, name, 'nurse-pass'), { name, roles: ['chw', 'supervisor'] });
    assert.equal((await sessionOf(couch.url, name, 'wrong')).name, null);
    const stored = await nano.use<StoredUser>('_users').get(`org.couchdb.user:${name}`);
    assert.equal(stored.password, undefined, 'the server hashed the password');
    if (couch.embedded) assert.deepEqual([stored.iterations, stored.pbkdf2_prf], [600_000, 'sha256']);
    const { _rev: _ignored, ...settings } = await nano.use<Record<string, unknown>>(db).get(`org.couchdb.user:${name}`);
    assert.deepEqual(settings, { _id: `org.couchdb.user:${name}`, type: 'user-settings', name, roles: ['chw', 'supervisor'], facility_id: 'hc-1', contact_id: 'p-1' });
    await nano.db.destroy(db);
  });

  it('takes the password from FIELDSYNC_USER_PASSWORD and writes no user-settings without --facility/--contact', async () => {
    const couch = await testCouch();
    const name = couch.uniqueDbName('phr').replace(/-/g, '');
    const run = await runCli(['user', 'add', couch.adminUrl, name, '--roles', 'phr-app'], { FIELDSYNC_USER_PASSWORD: 'from-env' });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), `user ${name} created with roles [phr-app]`);
    assert.equal((await sessionOf(couch.url, name, 'from-env')).name, name);
  });

  it('refuses, writing nothing: an existing user, a reserved role, no password, a bad name, a non-admin', async () => {
    const couch = await testCouch();
    const name = couch.uniqueDbName('taken').replace(/-/g, '');
    await userAdd(couch.adminUrl, name, { password: 'first', db: 'medic' }, {});
    const users = Nano(couch.adminUrl).use('_users');
    const before = (await users.list()).rows.map((r) => [r.id, r.value.rev]);
    const run = await runCli(['user', 'add', couch.adminUrl, name, '--password', 'second']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^fieldsync: user \S+ already exists\n$/, 'one line');
    const cases: Array<[string, string, UserAddOptions, RegExp]> = [
      [couch.adminUrl, `${name}x`, { password: 'pw', roles: 'chw,_admin', db: 'medic' }, /role _admin is reserved/],
      [couch.adminUrl, `${name}y`, { db: 'medic' }, /a password is required/],
      [couch.adminUrl, '_sneaky', { password: 'pw', db: 'medic' }, /invalid user name/],
      [couch.adminUrl, `${name}z`, { password: 'pw', facility: 'hc', db: couch.uniqueDbName('none') }, /does not exist/],
      [withCredentials(couch.url, name, 'first'), `${name}w`, { password: 'pw', db: 'medic' }, /only a server admin makes accounts/],
    ];
    for (const [url, user, options, message] of cases) {
      await assert.rejects(userAdd(url, user, options, {}), (err: Error) => err instanceof CliError && message.test(err.message), user);
    }
    assert.deepEqual((await users.list()).rows.map((r) => [r.id, r.value.rev]), before, '_users is unchanged');
    assert.equal((await sessionOf(couch.url, name, 'first')).name, name, 'the existing user keeps its password');
  });
});
