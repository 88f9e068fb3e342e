import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft } from 'fp-ts/lib/Either.js';
import { createDocDecoder, decodeDoc, formatProblems } from '../../lib/codecs/index.js';
import type { DocKind } from '../../lib/codecs/index.js';
import { generateDataSet } from '../../lib/seed/dataset.js';
import { CODECS, KINDS, validFixtures } from './corpus.js';

type Json = Record<string, unknown>;

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
    ), { numRuns: 500 });
  });

  it('never throws on junk, only returns problems', () => {
    fc.assert(fc.property(fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }), (junk) => {
      decodeDoc(junk);
    }), { numRuns: 1_000 });
  });

  it('never throws on documents that look almost right', () => {
    const kinds = fc.constantFrom('person', 'clinic', 'health_center', 'contact', 'data_record', 'form', 'user', 'user-settings', 'task', 'target', 'feedback', 5, null);
    fc.assert(fc.property(
      fc.record({ _id: fc.oneof(fc.string(), fc.integer()), type: kinds, contact_type: fc.anything(), parent: fc.anything(), contact: fc.anything(), fields: fc.anything(), reported_date: fc.anything(), linked_docs: fc.anything(), _attachments: fc.anything(), state: fc.anything(), targets: fc.anything(), stateHistory: fc.anything() }, { requiredKeys: ['type'] }),
      (doc) => {
        const result = decodeDoc(doc);
        if (isLeft(result)) for (const p of result.left) assert.equal(typeof p.path, 'string');
      },
    ), { numRuns: 2_000 });
  });
});
