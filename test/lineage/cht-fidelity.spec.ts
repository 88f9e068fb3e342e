import assert from 'node:assert/strict';
import { hydrate, hydrateByIds } from '../../lib/lineage/hydrate.js';
import { LineageNotFoundError } from '../../lib/lineage/problems.js';
import { minify } from '../../lib/lineage/minify.js';
import type { StoredDoc } from '../../lib/sources/types.js';
import { STORED, stored } from './fixture.js';
import { SOURCES } from './sources.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read deep paths

const numericPatient: StoredDoc = { _id: 'num', type: 'person', name: 'Numbered', patient_id: 4321, parent: { _id: 'cl1', parent: { _id: 'hc1', parent: { _id: 'd1' } } }, reported_date: 1 };
const numericPlace: StoredDoc = { _id: 'numplace', type: 'clinic', name: 'Numbered place', place_id: 777, parent: { _id: 'hc1', parent: { _id: 'd1' } }, reported_date: 1 };

for (const [name, makeSource] of SOURCES) {
  describe(`hydrate as cht-core's lineage does (${name})`, function () {
    this.timeout(30_000);

    it('finds a contact whose patient_id or place_id is stored as a number by the string a report holds, as cht-core indexes String(value)', async () => {
      const source = await makeSource([...STORED, numericPatient, numericPlace]);
      const report: StoredDoc = { _id: 'r-num', type: 'data_record', form: 'visit', fields: { patient_id: '4321', place_id: '777' }, reported_date: 5 };
      const { docs: [hydrated], problems } = await hydrate([report], source);
      assert.deepEqual(problems, []);
      assert.equal((hydrated as Json)['patient'].name, 'Numbered');
      assert.equal((hydrated as Json)['place'].name, 'Numbered place');
    });

    it('hydrates a report whose author contact is a bare id string with the author\'s own lineage', async () => {
      const source = await makeSource(STORED);
      const report: StoredDoc = { _id: 'r-bare', type: 'data_record', form: 'visit', contact: 'nurse', fields: {}, reported_date: 5 };
      const { docs: [hydrated], problems } = await hydrate([report], source);
      const author = (hydrated as Json)['contact'];
      assert.deepEqual(problems, []);
      assert.equal(author.name, 'Nurse');
      assert.equal(author.parent.name, 'Centre');
      assert.equal(author.parent.parent.name, 'District');
      assert.equal(author.parent.contact.name, 'Nurse', 'each place with its primary contact');
      assert.deepEqual(minify(hydrated as Json)['contact'], { _id: 'nurse', parent: { _id: 'hc1', parent: { _id: 'd1' } } }, 'minify gives the stored form');
    });

    it('hydrates the same id given twice in one batch twice, as cht-core\'s hydrateDocs hydrates each copy', async () => {
      const source = await makeSource(STORED);
      const report = STORED.find((d) => d._id === 'r-shortcode') as StoredDoc;
      const { docs, problems } = await hydrate([report, report], source);
      assert.deepEqual(problems, []);
      assert.equal(docs.length, 2);
      assert.deepEqual(docs[0], docs[1]);
      assert.equal((docs[1] as Json)['patient'].name, 'Kid');
      const byIds = await hydrateByIds(['kid', 'kid', 'nobody'], source);
      assert.deepEqual(byIds.docs.map((d) => d['_id']), ['kid', 'kid'], 'a missing id is left out, as cht-core\'s fetchHydratedDocs drops it');
      assert.deepEqual(byIds.problems, [{ kind: 'missing-doc', docId: 'nobody', deleted: false }]);
    });

    it('with throwWhenMissingLineage, fails with a 404-like typed error when the document or its lineage cannot be completed, as cht-core\'s option throws code 404', async () => {
      const source = await makeSource(STORED);
      await assert.rejects(hydrateByIds(['nobody'], source, { throwWhenMissingLineage: true }), (err: unknown) => err instanceof LineageNotFoundError && err.code === 404 && err.status === 404);
      const orphan: StoredDoc = { _id: 'orphan', type: 'person', name: 'Orphan', parent: { _id: 'gone', parent: { _id: 'd1' } } };
      await assert.rejects(hydrate([orphan], source, { throwWhenMissingLineage: true }), (err: unknown) => err instanceof LineageNotFoundError && err.problems[0].kind === 'missing-parent');
      const { problems } = await hydrate([orphan], source);
      assert.equal(problems[0]?.kind, 'missing-parent', 'without the option the problem is a value');
      const lostPatient: StoredDoc = { _id: 'r-lost', type: 'data_record', form: 'visit', contact: { _id: 'nurse', parent: { _id: 'hc1', parent: { _id: 'd1' } } }, fields: { patient_id: '9999' } };
      const ok = await hydrate([lostPatient], source, { throwWhenMissingLineage: true });
      assert.equal(ok.problems[0]?.kind, 'missing-patient', 'a missing patient leaves the lineage complete, as cht-core leaves patient out');
    });

    it('differs: a report without form (an SMS) read by id is hydrated, where cht-core\'s fetchHydratedDoc returns it untouched (its hydrateDocs hydrates it)', async () => {
      const source = await makeSource([...STORED, { _id: 'sms', type: 'data_record', contact: { _id: 'nurse', parent: { _id: 'hc1', parent: { _id: 'd1' } } }, fields: { patient_id: '1001' } }]);
      const { docs: [sms] } = await hydrateByIds(['sms'], source);
      assert.equal((sms as Json)['contact'].name, 'Nurse');
      assert.equal((sms as Json)['patient'].name, 'Head');
    });

    it('differs: hydrated documents share the places they have in common, where cht-core deep-copies each', async () => {
      const source = await makeSource(STORED);
      const { docs } = await hydrate([stored('head'), stored('kid')], source);
      assert.equal((docs[0] as Json)['parent'], (docs[1] as Json)['parent']);
    });
  });
}

describe('minify as cht-core\'s lineage does', () => {
  it('drops linked_docs entries that name no id, as cht-core\'s minify leaves them undefined', () => {
    const contact = { _id: 'p', type: 'person', linked_docs: { chw: { _id: 'nurse', name: 'Nurse' }, broken: { name: 'no id' }, empty: '', raw: 'x' } };
    assert.deepEqual(minify(contact)['linked_docs'], { chw: 'nurse', raw: 'x' });
  });
});
