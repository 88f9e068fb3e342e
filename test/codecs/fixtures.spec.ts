import assert from 'node:assert/strict';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { decodeDoc, decodeDocOrThrow, FieldsyncDecodeError, formatProblems } from '../../lib/codecs/index.js';
import { CODECS, invalidFixtures, KINDS, validFixtures } from './corpus.js';

describe('codecs on the fixture corpus', () => {
  it('has a valid and several invalid documents of every kind', () => {
    assert.deepEqual([...KINDS].sort(), Object.keys(CODECS).sort());
    for (const kind of KINDS) {
      assert.ok(validFixtures(kind).length >= 1, `${kind}: a valid fixture`);
      assert.ok(invalidFixtures(kind).length >= (kind === 'deleted' ? 1 : 3), `${kind}: several invalid fixtures`);
    }
  });

  for (const kind of KINDS) {
    describe(kind, () => {
      for (const { file, doc } of validFixtures(kind)) {
        it(`decodes ${file} as ${kind} and encodes it back unchanged`, () => {
          const result = decodeDoc(doc);
          if (isLeft(result)) assert.fail(formatProblems(result.left));
          assert.equal(result.right.kind, kind);
          assert.deepEqual(CODECS[kind].encode(result.right.doc), doc);
        });
      }
      for (const fixture of invalidFixtures(kind)) {
        it(`rejects ${fixture.file} at ${fixture.paths.join(', ')} (${fixture.description})`, () => {
          const result = decodeDoc(fixture.doc);
          assert.ok(isLeft(result), 'does not decode');
          const paths = result.left.map((p) => p.path);
          for (const expected of fixture.paths) assert.ok(paths.includes(expected), `expected a problem at "${expected}", got ${JSON.stringify(paths)}`);
          const id = typeof fixture.doc === 'object' && fixture.doc !== null ? (fixture.doc as { _id?: unknown })._id : undefined;
          if (typeof id === 'string') assert.ok(result.left.every((p) => p.docId === id), 'each problem names the document');
          const text = formatProblems(result.left);
          assert.equal(text.split('\n').length, result.left.length, 'one line per problem');
          for (const problem of result.left) assert.ok(problem.expected.length > 0 && problem.found.length > 0);
          assert.throws(() => decodeDocOrThrow(fixture.doc), (err: unknown) => err instanceof FieldsyncDecodeError);
        });
      }
    });
  }

  it('lists every problem at once', () => {
    const result = decodeDoc({ _id: 'p1', type: 'person', reported_date: 'yesterday', parent: { _id: 5 } });
    assert.ok(isLeft(result));
    assert.ok(result.left.length >= 2, formatProblems(result.left));
    assert.ok(isRight(decodeDoc({ _id: 'x', type: 'feedback', anything: [1, 2] })), 'unknown types are other docs, not errors');
  });
});
