import assert from 'node:assert/strict';
import { hydrate } from '../../lib/lineage/hydrate.js';
import { ShortcodeIndexMissingError } from '../../lib/sources/shortcode-index.js';
import { minify } from '../../lib/lineage/minify.js';
import type { StoredDoc } from '../../lib/sources/types.js';
import { STORED, stored } from './fixture.js';
import { SOURCES, withoutView } from './sources.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read deep paths

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

for (const [name, makeSource] of SOURCES) {
  describe(`hydrate (${name})`, function () {
    this.timeout(30_000);

    it('fills every parent level with the full place and each place\'s primary contact', async () => {
      const source = await makeSource(STORED);
      const { docs: [kid], problems } = await hydrate([stored('kid')], source);
      const k = kid as Json;
      assert.deepEqual(problems, []);
      assert.equal(k['parent'].name, 'Household');
      assert.equal(k['parent'].parent.name, 'Centre');
      assert.equal(k['parent'].parent.parent.name, 'District');
      assert.equal(k['parent'].parent.parent.parent, undefined, 'the top has no parent');
      assert.equal(k['parent'].contact.name, 'Head');
      assert.equal(k['parent'].parent.contact.name, 'Nurse');
      assert.equal(k['parent'].parent.parent.contact.name, 'District CHV');
    });

    it('hydrates a report\'s author with its lineage, its patient by shortcode or uuid, and its place', async () => {
      const source = await makeSource(STORED);
      const { docs, problems } = await hydrate([stored('r-shortcode'), stored('r-uuid-place'), stored('r-sms')], source);
      const [byCode, byUuid, sms] = docs as unknown as Json[];
      assert.deepEqual(problems, []);
      assert.equal(byCode?.['contact'].name, 'Nurse');
      assert.equal(byCode?.['contact'].parent.name, 'Centre');
      assert.equal(byCode?.['contact'].parent.parent.name, 'District');
      assert.equal(byCode?.['patient'].name, 'Kid');
      assert.equal(byCode?.['patient'].parent.parent.name, 'Centre', 'the patient comes with its lineage');
      assert.equal(byUuid?.['patient'].name, 'Head');
      assert.equal(byUuid?.['place'].name, 'Household');
      assert.equal(sms?.['patient'].name, 'Head', 'a top-level patient_id counts too');
      assert.equal(sms?.['contact'], undefined, 'an SMS from an unknown sender has no contact');
    });

    it('fills linked_docs shallowly, whether stored as an id or as {_id}', async () => {
      const source = await makeSource(STORED);
      const { docs: [household] } = await hydrate([stored('cl1')], source);
      const links = (household as Json)['linked_docs'];
      assert.equal(links.chw.name, 'Nurse');
      assert.equal(links.elder.name, 'District CHV');
      assert.deepEqual(links.chw.parent, stored('nurse')['parent'], 'the linked doc itself, not its lineage');
    });

    it('makes the same number of requests for 1 document as for 60, at most 2 with the lineage view', async () => {
      const people = Array.from({ length: 50 }, (_, i) => ({ _id: `p${i}`, type: 'person', name: `P${i}`, patient_id: `2${i}`, parent: stored('kid')['parent'] }));
      const reports = Array.from({ length: 10 }, (_, i) => ({ _id: `rep${i}`, type: 'data_record', form: 'v', contact: { _id: `p${i}`, parent: stored('kid')['parent'] }, fields: { patient_id: `2${i + 10}` } }));
      const all = [...STORED, ...people, ...reports] as StoredDoc[];
      const one = await makeSource(all);
      await hydrate([reports[0] as StoredDoc], one);
      const many = await makeSource(all);
      const { problems } = await hydrate([...people, ...reports] as StoredDoc[], many);
      assert.deepEqual(problems, []);
      assert.equal(many.stats.requests, one.stats.requests, 'requests do not grow with the batch');
      assert.ok(many.stats.requests <= 2, `${many.stats.requests} requests`);
    });

    it('makes 2 requests however deep the hierarchy: the batch\'s ids and shortcodes, then the subjects\' ancestors, each read with its primary contact', async () => {
      // Ten levels of places, each with its primary contact; reports name their patient by shortcode or uuid.
      const depth = 10;
      const chain = (level: number): Json | undefined => (level < 0 ? undefined : { _id: `place${level}`, ...(level > 0 ? { parent: chain(level - 1) } : {}) });
      const places = Array.from({ length: depth }, (_, level) => ({
        _id: `place${level}`, type: 'contact', contact_type: `level${level}`, name: `Place ${level}`,
        ...(level > 0 ? { parent: chain(level - 1) } : {}), contact: { _id: `boss${level}`, parent: chain(level) },
      }));
      const bosses = Array.from({ length: depth }, (_, level) => ({ _id: `boss${level}`, type: 'person', name: `Boss ${level}`, parent: chain(level) }));
      const patients = Array.from({ length: 30 }, (_, i) => ({ _id: `deep${i}`, type: 'person', name: `Deep ${i}`, patient_id: `9${i}`, parent: chain(depth - 1) }));
      const reports = patients.map((p, i) => ({
        _id: `visit${i}`, type: 'data_record', form: 'v', contact: i % 3 === 2 ? 'boss0' : { _id: 'boss0', parent: chain(0) },
        fields: i % 2 === 0 ? { patient_id: p.patient_id } : { patient_uuid: p._id },
      }));
      const all = [...places, ...bosses, ...patients, ...reports] as StoredDoc[];
      for (const batch of [reports.slice(0, 1), reports]) {
        const source = await makeSource(all);
        const { docs, problems } = await hydrate(batch as StoredDoc[], source);
        assert.deepEqual(problems, []);
        for (const doc of docs as Json[]) {
          let place = doc['patient'].parent;
          for (let level = depth - 1; level >= 0; level -= 1, place = place.parent) assert.equal(place.contact.name, `Boss ${level}`, 'every level with its primary contact');
        }
        assert.equal(source.stats.requests, 2, `${source.stats.requests} requests for ${batch.length} reports`);
      }
    });

    it('reads a missing or deleted document by id once the lineage view has not found it, to tell a deletion: one request more', async () => {
      const orphan = { _id: 'orphan', type: 'person', name: 'O', parent: { _id: 'gone', parent: { _id: 'hc1', parent: { _id: 'd1' } } } };
      const source = await makeSource([...STORED, orphan, { _id: 'gone', type: 'clinic' }], ['gone']);
      const { problems } = await hydrate([orphan], source);
      assert.deepEqual(problems, [{ kind: 'missing-parent', docId: 'orphan', parentId: 'gone', deleted: true }]);
      assert.equal(source.stats.requests, 2);
    });

    it('hydrates without the lineage view as with it, in at most 4 requests, and one more where the database lacks it', async () => {
      const input = STORED.filter((d) => d._id !== 'r-sms');
      const viewed = await makeSource(STORED);
      const expected = await hydrate(input, viewed);
      for (const indexing of ['shortcode-only', 'none'] as const) {
        const lacking = await makeSource(STORED, [], indexing);
        const shortcodes = indexing === 'shortcode-only';
        if (shortcodes) assert.deepEqual(await hydrate(input, lacking), expected, 'the same result without the view');
        else await assert.rejects(hydrate(input, lacking), ShortcodeIndexMissingError, 'shortcodes still need the shortcode view');
        const contacts = await makeSource(STORED, [], indexing);
        const people = input.filter((d) => d['type'] !== 'data_record');
        assert.deepEqual(await hydrate(people, contacts), await hydrate(people, viewed));
        assert.ok(contacts.stats.requests <= 1 + 3, `${contacts.stats.requests} requests: the view's 404, then by id`);
        if (shortcodes) assert.ok(lacking.stats.requests <= 1 + 4, `${lacking.stats.requests} requests`);
      }
      const portWithoutView = withoutView(await makeSource(STORED));
      assert.deepEqual(await hydrate(input, portWithoutView), expected, 'a source without findContacts reads by id');
      assert.ok(portWithoutView.stats.requests <= 4, `${portWithoutView.stats.requests} requests`);
    });

    it('keeps a missing or deleted parent as an {_id} stub and reports it', async () => {
      const orphan = { _id: 'orphan', type: 'person', name: 'O', parent: { _id: 'gone', parent: { _id: 'hc1', parent: { _id: 'd1' } } } };
      const source = await makeSource([...STORED, orphan, { _id: 'gone', type: 'clinic' }], ['gone']);
      const { docs: [h], problems } = await hydrate([orphan], source);
      assert.deepEqual((h as Json)['parent']._id, 'gone');
      assert.equal((h as Json)['parent'].name, undefined);
      assert.equal((h as Json)['parent'].parent.name, 'Centre', 'levels above a gap are still filled');
      assert.deepEqual(problems, [{ kind: 'missing-parent', docId: 'orphan', parentId: 'gone', deleted: true }]);
      const { problems: missing } = await hydrate([{ ...orphan, parent: { _id: 'never' } }], source);
      assert.deepEqual(missing, [{ kind: 'missing-parent', docId: 'orphan', parentId: 'never', deleted: false }]);
    });

    it('reports a missing primary contact, report author, patient, place and linked doc', async () => {
      const place = { _id: 'lonely', type: 'clinic', contact: { _id: 'nobody' }, linked_docs: { x: 'none' } };
      const report = { _id: 'r-bad', type: 'data_record', form: 'v', contact: { _id: 'ghost' }, fields: { patient_id: '9999', place_id: '8888' } };
      const source = await makeSource([...STORED, place, report]);
      const { problems } = await hydrate([place, report], source);
      const kinds = problems.map((p) => p.kind).sort();
      assert.deepEqual(kinds, ['missing-contact', 'missing-contact', 'missing-linked-doc', 'missing-patient', 'missing-place']);
    });

    it('differs: stops at a cycle in the parent chain and reports it, where cht-core hydrates the cyclic ids to the stored chain\'s length', async () => {
      const a = { _id: 'a', type: 'clinic', parent: { _id: 'b', parent: { _id: 'a', parent: { _id: 'b' } } } };
      const b = { _id: 'b', type: 'clinic', parent: { _id: 'a', parent: { _id: 'b' } } };
      const source = await makeSource([a, b]);
      const { docs: [h], problems } = await hydrate([a], source);
      assert.deepEqual(problems, [{ kind: 'cycle', docId: 'a', repeatedId: 'a' }]);
      assert.deepEqual(minify(h!), a, 'nothing stored is lost');
    });

    it('differs: fills chains deeper than the limit only that far, keeping the rest as stored, where cht-core\'s hydration has no depth limit', async () => {
      const source = await makeSource(STORED);
      const { docs: [h], problems } = await hydrate([stored('kid')], source, { maxDepth: 2 });
      assert.deepEqual(problems, [{ kind: 'too-deep', docId: 'kid', limit: 2 }]);
      assert.equal((h as Json)['parent'].parent.name, 'Centre');
      assert.deepEqual((h as Json)['parent'].parent.parent, { _id: 'd1' });
      assert.deepEqual(minify(h as StoredDoc), stored('kid'));
    });

    it('returns a document without lineage as it is, and never modifies its input', async () => {
      const source = await makeSource(STORED);
      const input = deepFreeze([stored('d1'), { _id: 'settings', type: 'other' }, stored('kid')]);
      const { docs } = await hydrate(input, source);
      assert.equal((docs[0] as Json)['parent'], undefined);
      assert.equal(docs[1], input[1], 'a doc that is neither contact nor report is returned untouched');
    });
  });
}
