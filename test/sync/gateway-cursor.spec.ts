import assert from 'node:assert/strict';
import { readCursor, signCursor } from '../../lib/sync/gateway/cursor.js';

describe('feed cursors: only the user and database they were signed for read them', () => {
  const key = 'a-secret-key-of-the-database-for-tests-only';
  const payload = { s: '12-g1AAAA', a: 'f'.repeat(32), k: 'doc-9' };

  it('reads back what was signed, and is URL-safe', () => {
    const cursor = signCursor(key, 'medic', 'agatha', payload);
    assert.match(cursor, /^fs1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.deepEqual(readCursor(key, 'medic', 'agatha', cursor), payload);
  });

  it('refuses another user, another database, another key, an edited payload or signature', () => {
    const cursor = signCursor(key, 'medic', 'agatha', payload);
    const [prefix, body, mac] = cursor.split('.') as [string, string, string];
    const edited = Buffer.from(JSON.stringify({ ...payload, a: '0'.repeat(32) })).toString('base64url');
    assert.equal(readCursor(key, 'medic', 'bob', cursor), undefined);
    assert.equal(readCursor(key, 'other', 'agatha', cursor), undefined);
    assert.equal(readCursor(`${key}x`, 'medic', 'agatha', cursor), undefined);
    assert.equal(readCursor(key, 'medic', 'agatha', `${prefix}.${edited}.${mac}`), undefined);
    assert.equal(readCursor(key, 'medic', 'agatha', `${prefix}.${body}.${mac.slice(1)}A`), undefined);
    assert.equal(readCursor(key, 'medic', 'agatha', '12'), undefined);
    assert.equal(readCursor(key, 'medic', 'agatha', `fs2.${body}.${mac}`), undefined);
  });
});
