import assert from 'node:assert/strict';
import { hydrate } from '../../lib/lineage/hydrate.js';
import { minify } from '../../lib/lineage/minify.js';
import type { StoredDoc } from '../../lib/sources/types.js';
import { STORED } from './fixture.js';
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
  });
}
