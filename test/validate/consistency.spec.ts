import assert from 'node:assert/strict';
import { createConsistencyChecker, lineageIds } from '../../lib/validate/consistency.js';

const district = { _id: 'd1', type: 'district_hospital' };
const centre = { _id: 'hc1', type: 'health_center', parent: { _id: 'd1' } };
const clinic = { _id: 'c1', type: 'clinic', parent: { _id: 'hc1', parent: { _id: 'd1' } } };
const person = { _id: 'p1', type: 'person', parent: { _id: 'c1', parent: { _id: 'hc1', parent: { _id: 'd1' } } } };
const report = { _id: 'r1', type: 'data_record', form: 'visit', contact: { _id: 'p1', parent: { _id: 'c1' } } };
const settings = { _id: 'org.couchdb.user:ana', type: 'user-settings', name: 'ana' };

function check(docs: readonly unknown[]) {
  const checker = createConsistencyChecker();
  for (const doc of docs) checker.add(doc);
  return checker.problems();
}

describe('consistency checker', () => {
  it('finds nothing in a consistent hierarchy, whatever the order docs arrive in', () => {
    assert.deepEqual(check([report, person, clinic, centre, district, settings]), []);
    assert.deepEqual(check([district, centre, clinic, person, report, settings]), []);
  });

  const cases: ReadonlyArray<{ name: string; docs: readonly unknown[]; expected: unknown[] }> = [
    {
      name: 'a contact whose parent does not exist',
      docs: [district, centre, person],
      expected: [{ kind: 'missing-parent', docId: 'p1', parentId: 'c1' }],
    },
    {
      name: 'a lineage that disagrees with the parent\'s own lineage',
      docs: [district, centre, { ...clinic, parent: { _id: 'hc1', parent: { _id: 'elsewhere' } } }, person],
      expected: [
        { kind: 'lineage-mismatch', docId: 'c1', parentId: 'hc1', stored: ['elsewhere'], parentLineage: ['d1'] },
        { kind: 'lineage-mismatch', docId: 'p1', parentId: 'c1', stored: ['hc1', 'd1'], parentLineage: ['hc1', 'elsewhere'] },
      ],
    },
    {
      name: 'a report whose contact does not exist',
      docs: [district, { ...report, contact: { _id: 'ghost' } }],
      expected: [{ kind: 'missing-contact', docId: 'r1', contactId: 'ghost' }],
    },
    {
      name: 'two user-settings claiming one user',
      docs: [settings, { _id: 'settings-copy', type: 'user-settings', name: 'ana' }],
      expected: [{ kind: 'duplicate-user-settings', name: 'ana', docIds: ['org.couchdb.user:ana', 'settings-copy'] }],
    },
  ];
  for (const { name, docs, expected } of cases) {
    it(`reports ${name}`, () => {
      assert.deepEqual(check(docs), expected);
    });
  }

  it('ignores deleted documents and junk', () => {
    assert.deepEqual(check([null, 42, 'x', [], { _id: 'p9', type: 'person', parent: { _id: 'gone' }, _deleted: true }]), []);
  });

  it('reads lineage ids nearest first and stops at a depth limit', () => {
    assert.deepEqual(lineageIds(person.parent), ['c1', 'hc1', 'd1']);
    assert.deepEqual(lineageIds(person.parent, 2), ['c1', 'hc1']);
    assert.deepEqual(lineageIds(undefined), []);
  });
});
