import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { revisionDigest } from '../../lib/sync/digest.js';
import { sha256Hex } from '../../lib/sync/sha256.js';

describe('the revision digest', () => {
  it('sha256Hex equals node:crypto on any text, multi-byte and block-boundary lengths included', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const text = 'é'.repeat(n % 3) + 'x'.repeat(n);
      assert.equal(sha256Hex(text), createHash('sha256').update(text, 'utf8').digest('hex'));
    }
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
      assert.equal(sha256Hex(text), createHash('sha256').update(text, 'utf8').digest('hex'));
    }), { seed: 16, numRuns: 300 });
  });

  it('is sha256 over the sorted lines "id rev\\n", whatever the order given, with the count', () => {
    const rows = [{ id: 'b', rev: '2-y' }, { id: 'a', rev: '1-x' }, { id: 'org.couchdb.user:u', rev: '3-z' }];
    const expected = createHash('sha256').update('a 1-x\nb 2-y\norg.couchdb.user:u 3-z\n').digest('hex');
    assert.deepEqual(revisionDigest(rows), { digest: expected, count: 3 });
    assert.deepEqual(revisionDigest([...rows].reverse()), revisionDigest(rows));
    assert.equal(revisionDigest([]).digest, createHash('sha256').update('').digest('hex'));
  });

  it('differs when one revision differs, is missing or is extra', () => {
    const rows = [{ id: 'a', rev: '1-x' }, { id: 'b', rev: '2-y' }];
    const base = revisionDigest(rows).digest;
    assert.notEqual(revisionDigest([{ id: 'a', rev: '1-x' }, { id: 'b', rev: '3-y' }]).digest, base);
    assert.notEqual(revisionDigest(rows.slice(1)).digest, base);
    assert.notEqual(revisionDigest([...rows, { id: 'c', rev: '1-c' }]).digest, base);
  });
});
