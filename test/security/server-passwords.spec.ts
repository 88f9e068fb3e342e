/**
 * Issue 14, item 5: passwords are stored as PBKDF2-SHA256 with 600,000 iterations (CouchDB 3.4's
 * default), not 10, and checking them stays correct with the verification cache in front.
 */
import assert from 'node:assert/strict';
import { testCouch } from '../support/server.js';
import type { TestCouch } from '../support/server.js';
import { basic, createUser, send, sessionName } from './server-attack.js';

interface StoredUser { _rev: string; iterations?: number; pbkdf2_prf?: string; password_scheme?: string; derived_key?: string; salt?: string; password?: string }

describe('embedded server: password hashes', function () {
  let couch: TestCouch;

  before(async function () {
    couch = await testCouch();
    if (!couch.embedded) this.skip();
    await send(couch, 'PUT', '/_users', couch.adminAuthHeader);
  });

  async function stored(name: string): Promise<StoredUser> {
    return (await send(couch, 'GET', `/_users/org.couchdb.user:${name}`, couch.adminAuthHeader)).json as StoredUser;
  }

  it('stores PBKDF2-SHA256 with 600,000 iterations and a fresh salt, never the password (item 5)', async () => {
    const name = couch.uniqueDbName('hashed').replace(/-/g, '');
    await createUser(couch, name, 'correct horse');
    const doc = await stored(name);
    assert.equal(doc.password_scheme, 'pbkdf2');
    assert.equal(doc.pbkdf2_prf, 'sha256');
    assert.equal(doc.iterations, 600_000);
    assert.match(doc.derived_key ?? '', /^[0-9a-f]{64}$/, 'a 32-byte SHA-256 key');
    assert.match(doc.salt ?? '', /^[0-9a-f]{32,}$/);
    assert.equal(doc.password, undefined);
    assert.equal(await sessionName(couch, basic(name, 'correct horse')), name, 'the password signs in');
    assert.equal((await send(couch, 'GET', '/_session', basic(name, 'correct horsf'))).status, 401, 'a wrong one does not');
  });

  it('stops accepting the old password as soon as it is changed, though the old one was verified before', async () => {
    const name = couch.uniqueDbName('changed').replace(/-/g, '');
    await createUser(couch, name, 'first-pass');
    assert.equal(await sessionName(couch, basic(name, 'first-pass')), name);
    const doc = await stored(name);
    const put = await send(couch, 'PUT', `/_users/org.couchdb.user:${name}`, couch.adminAuthHeader, { _id: `org.couchdb.user:${name}`, _rev: doc._rev, type: 'user', name, roles: [], password: 'second-pass' });
    assert.equal(put.status, 201, put.text);
    assert.equal((await send(couch, 'GET', '/_session', basic(name, 'first-pass'))).status, 401, 'the old password is refused');
    assert.equal(await sessionName(couch, basic(name, 'second-pass')), name);
  });

  it('still accepts a password stored with the legacy 10-iteration PBKDF2-SHA1 hash', async () => {
    const name = couch.uniqueDbName('legacy').replace(/-/g, '');
    // PBKDF2-HMAC-SHA1, 10 iterations, 20 bytes of "legacy-pass" with salt "0123456789abcdef": what
    // express-pouchdb wrote before, so data dirs of an older `fieldsync serve` keep working.
    const { pbkdf2Sync } = await import('node:crypto');
    const derived = pbkdf2Sync('legacy-pass', '0123456789abcdef', 10, 20, 'sha1').toString('hex');
    const doc = { _id: `org.couchdb.user:${name}`, type: 'user', name, roles: [], password_scheme: 'pbkdf2', iterations: 10, salt: '0123456789abcdef', derived_key: derived };
    const put = await send(couch, 'PUT', `/_users/org.couchdb.user:${name}`, couch.adminAuthHeader, doc);
    assert.equal(put.status, 201, put.text);
    assert.equal(await sessionName(couch, basic(name, 'legacy-pass')), name);
    assert.equal((await send(couch, 'GET', '/_session', basic(name, 'legacy-pas'))).status, 401);
  });
});
