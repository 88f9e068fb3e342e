import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft } from 'fp-ts/lib/Either.js';
import { createDocDecoder, decodeDoc, formatProblems } from '../../lib/codecs/index.js';
import type { DocKind } from '../../lib/codecs/index.js';
import { generateDataSet } from '../../lib/seed/dataset.js';
import { CODECS, KINDS, validFixtures } from './corpus.js';

type Json = Record<string, unknown>;

/** Fixed seeds: a property run is the same on every machine (92 is one that once found a crash). */
const SEED = 92;

/** Adds `extra` under a fresh key to every nested object a newer app version could extend. */
function extend(value: unknown, extra: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((v) => extend(v, extra, key));
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    // Maps whose every key means something (attachments by name, linked docs by tag) stay as they are.
    out[k] = k.startsWith('_') || k === 'linked_docs' ? v : extend(v, extra, key);
  }
  out[key] = extra;
  return out;
}

const seed = generateDataSet({ size: 'small', seed: 9, now: Date.UTC(2026, 0, 1) });
const decoder = createDocDecoder();
const bases: Array<{ kind: DocKind; doc: Json }> = [
  ...KINDS.flatMap((kind) => validFixtures(kind).map(({ doc }) => ({ kind, doc }))),
  ...[...seed.medic, ...seed.users].map((doc) => {
    const result = decoder.decodeDoc(doc);
    if (isLeft(result)) throw new Error(formatProblems(result.left));
    return { kind: result.right.kind, doc: doc };
  }),
];

describe('codec round trips (property)', () => {
  it('covers every kind', () => {
    assert.deepEqual([...new Set(bases.map((b) => b.kind))].sort(), [...KINDS].sort());
  });

  it('encode(decode(x)) deep-equals x for every kind, with properties the codecs do not name', () => {
    fc.assert(fc.property(
      fc.constantFrom(...bases),
      fc.jsonValue({ maxDepth: 2 }),
      fc.stringMatching(/^x_[a-z]{1,8}$/),
      fc.option(fc.nat(), { nil: undefined }),
      ({ kind, doc }, extra, key, reportedDate) => {
        const extended = extend(doc, extra, key) as Json;
        if (reportedDate !== undefined && typeof doc['reported_date'] === 'number') extended['reported_date'] = reportedDate;
        const result = decodeDoc(extended);
        if (isLeft(result)) throw new Error(`${String(doc['_id'])}: ${formatProblems(result.left)}`);
        assert.equal(result.right.kind, kind);
        assert.deepEqual(CODECS[kind].encode(result.right.doc), extended);
      },
    ), { numRuns: 500, seed: SEED });
  });

  it('never throws on junk, only returns problems', () => {
    fc.assert(fc.property(fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }), (junk) => {
      decodeDoc(junk);
    }), { numRuns: 1_000, seed: SEED });
  });

  it('never throws on documents that look almost right', () => {
    const kinds = fc.constantFrom('person', 'clinic', 'health_center', 'contact', 'data_record', 'form', 'user', 'user-settings', 'task', 'target', 'feedback', 5, null);
    fc.assert(fc.property(
      fc.record({ _id: fc.oneof(fc.string(), fc.integer()), type: kinds, contact_type: fc.anything(), parent: fc.anything(), contact: fc.anything(), fields: fc.anything(), reported_date: fc.anything(), linked_docs: fc.anything(), _attachments: fc.anything(), state: fc.anything(), targets: fc.anything(), stateHistory: fc.anything() }, { requiredKeys: ['type'] }),
      (doc) => {
        const result = decodeDoc(doc);
        if (isLeft(result)) for (const p of result.left) assert.equal(typeof p.path, 'string');
      },
    ), { numRuns: 2_000, seed: SEED });
  });

  it('never throws on a contact_type whose toString is not a function: it returns problems', () => {
    for (const type of ['health_center', 'clinic', 'contact', 'person']) {
      const result = decodeDoc({ type, contact_type: { toString: [] } });
      assert.ok(isLeft(result), type);
    }
  });

  it('decodes a parent chain 3,000 levels deep without overflowing the stack, and names a bad id at its depth', () => {
    const chain = (bad: boolean): Json => {
      let parent: Json = { _id: bad ? 5 : 'top' };
      for (let i = 0; i < 3_000; i++) parent = { _id: `p${i}`, parent };
      return { _id: 'kid', type: 'person', reported_date: 1, parent };
    };
    const good = chain(false);
    const ok = decodeDoc(good);
    assert.ok(!isLeft(ok));
    assert.equal(CODECS.person.encode(ok.right.doc), good);
    const result = decodeDoc(chain(true));
    assert.ok(isLeft(result));
    assert.deepEqual(result.left.map((p) => p.path), [`${'parent.'.repeat(3_001)}_id`]);
  });

  it('returns a problem, never hangs, for a parent chain that loops back on itself in memory', () => {
    const place: Json = { _id: 'loop' };
    place['parent'] = place;
    const result = decodeDoc({ _id: 'kid', type: 'person', reported_date: 1, parent: place });
    assert.ok(isLeft(result));
    assert.match(result.left[0]?.expected ?? '', /cycle/);
  });

  it('encode(decode(x)) keeps an own __proto__ key where JSON.parse put it, at every level', () => {
    /** Adds an own `__proto__` key (as JSON.parse makes) to every nested object. */
    const withProto = (value: unknown, extra: unknown): unknown => {
      if (Array.isArray(value)) return value.map((v) => withProto(v, extra));
      if (typeof value !== 'object' || value === null) return value;
      const out: Json = {};
      for (const [k, v] of Object.entries(value)) out[k] = k.startsWith('_') || k === 'linked_docs' ? v : withProto(v, extra);
      Object.defineProperty(out, '__proto__', { value: extra, enumerable: true, writable: true, configurable: true });
      return out;
    };
    assert.ok(Object.hasOwn(JSON.parse('{"__proto__":{"x":1}}') as object, '__proto__'), 'JSON.parse makes an own key');
    fc.assert(fc.property(fc.constantFrom(...bases), fc.dictionary(fc.stringMatching(/^[a-z]{1,4}$/), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }), ({ kind, doc }, extra) => {
      const input = withProto(doc, extra) as Json;
      const result = decodeDoc(input);
      if (isLeft(result)) throw new Error(`${String(doc['_id'])}: ${formatProblems(result.left)}`);
      const encoded = CODECS[kind].encode(result.right.doc);
      assert.deepStrictEqual(encoded, input);
      assert.equal(JSON.stringify(encoded), JSON.stringify(input));
      assert.equal(Object.getPrototypeOf(encoded), Object.prototype);
    }), { numRuns: 300, seed: SEED });
  });
});
