import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
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

  it('reads back every payload shape: with or without the listing id and the access change start (property)', () => {
    const text = fc.string({ maxLength: 12 });
    fc.assert(fc.property(text, text, fc.option(text, { nil: undefined }), fc.option(text, { nil: undefined }), (s, a, k, b) => {
      const signed = { s, a, ...(k !== undefined ? { k } : {}), ...(b !== undefined ? { b } : {}) };
      assert.deepEqual(readCursor(key, 'medic', 'agatha', signCursor(key, 'medic', 'agatha', signed)), signed);
    }), { numRuns: 300, seed: 42 });
  });

  it('refuses a correctly signed cursor whose payload is not a cursor\'s (so a leaked key is the only way to forge one)', () => {
    // Signed as the gateway signs, over texts the gateway never writes.
    const signedText = (text: string): string =>
      `fs1.${Buffer.from(text).toString('base64url')}.${createHmac('sha256', key).update(`medic\u0000agatha\u0000${text}`).digest('base64url')}`;
    assert.deepEqual(readCursor(key, 'medic', 'agatha', signedText('{"s":"1","a":"x"}')), { s: '1', a: 'x' }, 'the helper signs as the gateway does');
    for (const text of ['null', '[]', '"s"', '7', 'not json', '{"s":1,"a":"x"}', '{"s":"1"}', '{"s":"1","a":"x","k":5}', '{"s":"1","a":"x","b":null}']) {
      assert.equal(readCursor(key, 'medic', 'agatha', signedText(text)), undefined, text);
    }
    assert.equal(readCursor(key, 'medic', 'agatha', `${signCursor(key, 'medic', 'agatha', payload)}.x`), undefined, 'four parts');
  });
});
