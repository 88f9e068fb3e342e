import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hydrate } from '../../lib/lineage/hydrate.js';
import { LineageTooDeepError, minify } from '../../lib/lineage/minify.js';
import { installShortcodeIndex, pouchSource } from '../../lib/sources/pouchdb.js';
import { withoutView } from './sources.js';
import type { PouchLike } from '../../lib/sources/pouchdb.js';
import type { StoredDoc } from '../../lib/sources/types.js';
import { memoryPouch } from '../support/pouch.js';
import { STORED } from './fixture.js';

describe('minify', () => {
  it('reduces a hydrated contact to what is stored', () => {
    const hydrated = {
      _id: 'kid', type: 'person', extra: { kept: true },
      parent: { _id: 'cl1', name: 'Household', contact: { _id: 'head', name: 'Head' }, parent: { _id: 'hc1', name: 'Centre' } },
      contact: { _id: 'head', name: 'Head', parent: { _id: 'cl1', name: 'Household' } },
      linked_docs: { chw: { _id: 'nurse', name: 'Nurse' }, raw: 'x' },
    };
    const before = JSON.stringify(hydrated);
    assert.deepEqual(minify(hydrated), {
      _id: 'kid', type: 'person', extra: { kept: true },
      parent: { _id: 'cl1', parent: { _id: 'hc1' } },
      contact: { _id: 'head', parent: { _id: 'cl1' } },
      linked_docs: { chw: 'nurse', raw: 'x' },
    });
    assert.equal(JSON.stringify(hydrated), before, 'the input is untouched');
  });

  it('drops a report\'s hydrated patient and place and minifies its author', () => {
    const report = { _id: 'r', type: 'data_record', contact: { _id: 'n', name: 'N', parent: { _id: 'hc', name: 'C' } }, patient: { _id: 'p' }, place: { _id: 'pl' }, fields: { patient_id: '1' } };
    assert.deepEqual(minify(report), { _id: 'r', type: 'data_record', contact: { _id: 'n', parent: { _id: 'hc' } }, fields: { patient_id: '1' } });
  });

  it('differs: throws a typed error on a chain deeper than 100 levels, where cht-core\'s minify throws a plain Error beyond 50', () => {
    let chain: Record<string, unknown> = { _id: 'top' };
    for (let i = 0; i < 120; i += 1) chain = { _id: `l${i}`, parent: chain };
    assert.throws(() => minify({ _id: 'x', type: 'person', parent: chain }), LineageTooDeepError);
  });
});

/** A random stored hierarchy: places in levels, primary contacts, people, reports naming subjects several ways. */
const hierarchy = fc.record({
  levels: fc.integer({ min: 1, max: 5 }),
  width: fc.integer({ min: 1, max: 3 }),
  people: fc.integer({ min: 1, max: 6 }),
  reports: fc.array(fc.record({ author: fc.nat(), subject: fc.nat(), how: fc.constantFrom('shortcode', 'uuid', 'place', 'none', 'missing') }), { maxLength: 6 }),
  contacts: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
  extra: fc.dictionary(fc.constantFrom('note', 'x_field', 'meta'), fc.jsonValue(), { maxKeys: 2 }),
}).map(({ levels, width, people, reports, contacts, extra }) => {
  const docs: StoredDoc[] = [];
  type Ref = { _id: string; parent?: Ref };
  let previous: Array<{ id: string; ref: Ref }> = [{ id: '', ref: undefined as unknown as Ref }];
  let n = 0;
  for (let level = 0; level < levels; level += 1) {
    const current: Array<{ id: string; ref: Ref }> = [];
    for (const above of previous) {
      for (let w = 0; w < (level === 0 ? 1 : width); w += 1) {
        const id = `place-${n++}`;
        const ref: Ref = above.id ? { _id: id, parent: above.ref } : { _id: id };
        docs.push({ _id: id, type: 'clinic', place_id: `9${n}`, ...(above.id ? { parent: above.ref } : {}), ...extra });
        current.push({ id, ref });
      }
    }
    previous = current;
  }
  const persons: Array<{ id: string; ref: Ref }> = [];
  for (let i = 0; i < people; i += 1) {
    const home = previous[i % previous.length] as { id: string; ref: Ref };
    const id = `person-${i}`;
    const links = i > 0 ? { linked_docs: { buddy: `person-${i - 1}`, home: home.id, lost: 'no-such-doc' } } : {};
    docs.push({ _id: id, type: 'person', patient_id: `7${i}`, parent: home.ref, ...links, ...extra });
    persons.push({ id, ref: { _id: id, parent: home.ref } });
  }
  // Give some places a primary contact stored with its own chain.
  docs.forEach((doc, i) => {
    if (doc.type === 'clinic' && contacts[i % 20]) {
      const person = persons[i % persons.length] as { id: string; ref: Ref };
      docs[i] = { ...doc, contact: person.ref };
    }
  });
  reports.forEach((r, i) => {
    const author = persons[r.author % persons.length] as { ref: Ref };
    const subject = persons[r.subject % persons.length] as { id: string };
    const fields: Record<string, unknown> =
      r.how === 'shortcode' ? { patient_id: `7${r.subject % persons.length}` }
        : r.how === 'uuid' ? { patient_uuid: subject.id }
          : r.how === 'place' ? { place_id: previous[0]?.id }
            : r.how === 'missing' ? { patient_id: 'nobody' } : {};
    docs.push({ _id: `report-${i}`, type: 'data_record', form: 'f', contact: author.ref, fields, ...extra });
  });
  return docs;
});

describe('minify(hydrate(x))', function () {
  this.timeout(60_000);
  it('gives back exactly the stored document, for generated hierarchies, read through the lineage view or by id alone', async () => {
    await fc.assert(fc.asyncProperty(hierarchy, async (docs) => {
      const db = memoryPouch();
      await db.bulkDocs(docs.map((d) => ({ ...d })));
      await installShortcodeIndex(db);
      const stored = (await db.allDocs({ include_docs: true })).rows.flatMap((r) => (r.doc && !r.id.startsWith('_design/') ? [r.doc as unknown as StoredDoc] : []));
      const source = pouchSource(db, { lineageView: true });
      const result = await hydrate(stored, source);
      result.docs.forEach((doc, i) => assert.deepEqual(minify(doc), stored[i]));
      // Through the lineage view or by id alone, the same result.
      assert.deepEqual(await hydrate(stored, withoutView(source)), result);
      await db.destroy();
    }), { numRuns: 40, seed: 13 });
  });

  it('holds for the fixture hierarchy, with `{_id}` linked docs coming back as the spec\'s id strings', async () => {
    const db = memoryPouch();
    await db.bulkDocs(STORED.map((d) => ({ ...d })));
    await installShortcodeIndex(db);
    const { docs } = await hydrate(STORED, pouchSource(db as unknown as PouchLike));
    docs.forEach((doc, i) => assert.deepEqual(minify(doc), minify(STORED[i] as StoredDoc)));
    const household = STORED.find((d) => d._id === 'cl1');
    assert.deepEqual(minify(household as StoredDoc)['linked_docs'], { chw: 'nurse', elder: 'chv-d' });
  });
});
