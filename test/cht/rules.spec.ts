import assert from 'node:assert/strict';
import fc from 'fast-check';
import Nano from 'nano';
import { generateDataSet } from '../../lib/seed/dataset.js';
import { chtDesignDoc, CHT_DESIGN_ID } from '../../lib/cht/design.js';
import { chtReplicationKeys, DEFAULT_PUBLIC_DOCS, replicationSubject } from '../../lib/cht/keys.js';
import { chtAccessRules } from '../../lib/cht/rules.js';
import type { ChtContext } from '../../lib/cht/rules.js';
import type { AnyDoc } from '../../lib/sync/rules.js';
import { lineageIds } from '../../lib/validate/consistency.js';
import { memberWriter } from '../support/member-writes.js';
import { testCouch } from '../support/server.js';

type Emitted = Array<[unknown, unknown]>;

/** Runs a view's map source in-process with a recording emit. */
function runMap(source: string, doc: AnyDoc): Emitted {
  const emitted: Emitted = [];
  // The source is our own generated view code, evaluated exactly as CouchDB would.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const map = new Function('emit', `return (${source});`)((key: unknown, value: unknown) => emitted.push([key, value])) as (d: AnyDoc) => void;
  map(doc);
  return emitted;
}

function runValidate(source: string, newDoc: AnyDoc, oldDoc: AnyDoc | null, user: { name: string | null; roles: string[] }): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- our own generated validation code
  const validate = new Function(`return (${source});`)() as (n: AnyDoc, o: AnyDoc | null, u: unknown, s: unknown) => void;
  try {
    validate(newDoc, oldDoc, user, { admins: { names: [], roles: [] }, members: { names: [], roles: [] } });
    return undefined;
  } catch (err) {
    const e = err as { forbidden?: string; unauthorized?: string };
    return e.forbidden ?? e.unauthorized ?? 'threw';
  }
}

const design = chtDesignDoc(DEFAULT_PUBLIC_DOCS) as AnyDoc & { views: Record<string, { map: string }>; validate_doc_update: string };
const data = generateDataSet({ size: 'medium', seed: 3, now: Date.UTC(2026, 0, 1) });

describe('CHT replication keys', () => {
  it('files reports by subject in the order CHT uses', () => {
    const table: Array<[string, AnyDoc, string | undefined]> = [
      ['patient_id first', { _id: 'r', type: 'data_record', patient_id: 'p1', fields: { patient_id: 'p2' }, contact: { _id: 'c' } }, 'p1'],
      ['fields.patient_id', { _id: 'r', type: 'data_record', fields: { patient_id: 'p2', place_id: 'x' } }, 'p2'],
      ['place_id', { _id: 'r', type: 'data_record', place_id: 'pl', fields: {} }, 'pl'],
      ['fields.place_id', { _id: 'r', type: 'data_record', fields: { place_id: 'pl2' } }, 'pl2'],
      ['patient_uuid', { _id: 'r', type: 'data_record', fields: { patient_uuid: 'uuid' } }, 'uuid'],
      ['author when no subject', { _id: 'r', type: 'data_record', fields: {}, contact: { _id: 'author' } }, 'author'],
      ['author when the patient is unknown', { _id: 'r', type: 'data_record', fields: { patient_id: 'nope' }, errors: [{ code: 'registration_not_found' }], contact: { _id: 'a' } }, 'a'],
      ['nobody for an unknown sender', { _id: 'r', type: 'data_record', sms_message: { message: 'hi' } }, undefined],
    ];
    for (const [name, doc, subject] of table) assert.equal(replicationSubject(doc), subject, name);
  });

  it('keys each kind of document', () => {
    const table: Array<[AnyDoc, readonly string[]]> = [
      [{ _id: 'p', type: 'person', parent: { _id: 'c' } }, ['p']],
      [{ _id: 'c', type: 'contact', contact_type: 'household' }, ['c']],
      [{ _id: 't', type: 'task', user: 'org.couchdb.user:a' }, ['org.couchdb.user:a']],
      [{ _id: 'g', type: 'target', owner: 'contact-1' }, ['contact-1']],
      [{ _id: 'org.couchdb.user:a', type: 'user-settings' }, ['org.couchdb.user:a']],
      [{ _id: 'form:x', type: 'form' }, ['_all']],
      [{ _id: 'settings' }, ['_all']],
      [{ _id: 'sms', type: 'data_record' }, ['_unassigned']],
      [{ _id: '_design/medic' }, []],
      [{ _id: 'feedback-1', type: 'feedback' }, []],
    ];
    for (const [doc, keys] of table) assert.deepEqual(chtReplicationKeys(doc), keys, doc._id);
  });

  it('the replication_keys view files every document exactly as chtReplicationKeys does', () => {
    const viewSource = design.views['replication_keys']?.map ?? '';
    const check = (doc: AnyDoc): void => {
      const withRev = { ...doc, _rev: '1-a' };
      assert.deepEqual(runMap(viewSource, withRev).map(([key]) => key), [...chtReplicationKeys(withRev)], doc._id);
      for (const [, value] of runMap(viewSource, withRev)) assert.equal(value, '1-a');
    };
    for (const doc of data.medic) check(doc);
    const anyValue = fc.oneof(fc.string({ maxLength: 4 }), fc.constant(undefined), fc.constant(''), fc.integer());
    fc.assert(fc.property(
      fc.record({
        _id: fc.string({ minLength: 1, maxLength: 6 }),
        type: fc.constantFrom('data_record', 'person', 'task', 'target', 'form', 'user-settings', 'other', undefined),
        patient_id: anyValue, place_id: anyValue, patient_uuid: anyValue, user: anyValue, owner: anyValue,
        fields: fc.record({ patient_id: anyValue, place_id: anyValue, patient_uuid: anyValue }),
        contact: fc.option(fc.record({ _id: anyValue })),
      }, { requiredKeys: ['_id'] }),
      (doc) => check(doc as AnyDoc),
    ));
  });

  it('the contacts_by_depth view lists each contact under itself and every ancestor with its depth', () => {
    const source = design.views['contacts_by_depth']?.map ?? '';
    for (const doc of data.medic.filter((d) => d.type === 'person' || d.type === 'clinic')) {
      const chain = [doc._id, ...lineageIds(doc['parent'])];
      const keys = runMap(source, doc).map(([key]) => key);
      assert.deepEqual(keys, chain.flatMap((id, depth) => [[id], [id, depth]]));
    }
  });
});

describe('CHT write checks', () => {
  const rules = chtAccessRules({ depthByRole: { chw: 1 } });
  const context: ChtContext = { userId: 'org.couchdb.user:amy', facilityIds: ['hc'], contactId: 'amy-person', depth: 1, contacts: { hc: null, household: 'H1', 'amy-person': null } };
  const household = { _id: 'household', type: 'clinic', parent: { _id: 'hc' } };

  it('judges a new contact by its parent and the depth limit, including contacts made in the same push', () => {
    const inHousehold = { _id: 'baby', type: 'person', parent: { _id: 'household', parent: { _id: 'hc' } } };
    const deeper = { _id: 'deeper', type: 'person', parent: { _id: 'baby', parent: inHousehold.parent } };
    const newHousehold = { _id: 'h2', type: 'clinic', parent: { _id: 'hc' } };
    const inNewHousehold = { _id: 'p2', type: 'person', parent: { _id: 'h2', parent: { _id: 'hc' } } };
    assert.equal(rules.checkWrite(newHousehold, undefined, context, [newHousehold]), undefined);
    assert.match(rules.checkWrite(inHousehold, undefined, context, [inHousehold])?.reason ?? '', /outside your area/, 'depth 2 is beyond depth 1');
    assert.match(rules.checkWrite(deeper, undefined, context, [inHousehold, deeper])?.reason ?? '', /outside/);
    assert.match(rules.checkWrite(inNewHousehold, undefined, context, [inNewHousehold, newHousehold])?.reason ?? '', /outside/, 'depth limit applies to batch contacts too');
    const unlimited = chtAccessRules();
    const wide = { ...context, depth: -1 };
    assert.equal(unlimited.checkWrite(inNewHousehold, undefined, wide, [inNewHousehold, newHousehold]), undefined, 'a parent made in the same push counts');
    assert.equal(unlimited.checkWrite(deeper, undefined, wide, [deeper, inHousehold]), undefined);
  });

  it('refuses a deletion of a document the user cannot see, and allows one they can', () => {
    assert.equal(rules.checkWrite({ _id: 'household', _deleted: true }, household, context, []), undefined);
    assert.match(rules.checkWrite({ _id: 'x', _deleted: true }, { _id: 'x', type: 'person', parent: { _id: 'elsewhere' } }, context, [])?.reason ?? '', /not visible/);
  });

  it('never accepts a doc marked purged or the user\'s own facility', () => {
    assert.match(rules.checkWrite({ ...household, purged: true }, household, context, [])?.reason ?? '', /purged/);
    assert.match(rules.checkWrite({ _id: 'hc', type: 'health_centre', name: 'renamed' }, { _id: 'hc', type: 'health_centre' }, context, [])?.reason ?? '', /own facility/);
  });
});

describe('CHT validate_doc_update', () => {
  const vdu = design.validate_doc_update;
  const amy = { name: 'amy', roles: ['chw'] };

  it('rejects what can be judged from the document and the writer (in-process)', () => {
    const table: Array<[string, AnyDoc, AnyDoc | null, string | undefined]> = [
      ['own task', { _id: 't', type: 'task', user: 'org.couchdb.user:amy' }, null, undefined],
      ['someone else\'s task', { _id: 't', type: 'task', user: 'org.couchdb.user:bob' }, null, 'a task belongs to the user in its user field'],
      ['taking a task', { _id: 't', type: 'task', user: 'org.couchdb.user:amy' }, { _id: 't', type: 'task', user: 'org.couchdb.user:bob' }, 'a task belongs to the user in its user field'],
      ['a form', { _id: 'form:x', type: 'form' }, null, 'only admins write form:x'],
      ['a purged tombstone', { _id: 'p', _deleted: true, purged: true }, null, 'a document purged on a device is never written to the server'],
      ['creating user-settings', { _id: 'org.couchdb.user:amy', type: 'user-settings', name: 'amy' }, null, 'user-settings are created by admins'],
      ['changing own roles', { _id: 'org.couchdb.user:amy', type: 'user-settings', roles: ['admin'] }, { _id: 'org.couchdb.user:amy', type: 'user-settings', roles: ['chw'] }, 'only admins change roles'],
      ['editing own settings', { _id: 'org.couchdb.user:amy', type: 'user-settings', roles: ['chw'], phone: '1' }, { _id: 'org.couchdb.user:amy', type: 'user-settings', roles: ['chw'] }, undefined],
    ];
    for (const [name, newDoc, oldDoc, expected] of table) assert.equal(runValidate(vdu, newDoc, oldDoc, amy), expected, name);
    assert.equal(runValidate(vdu, { _id: 'form:x', type: 'form' }, null, { name: 'root', roles: ['_admin'] }), undefined, 'admins bypass');
    assert.equal(runValidate(vdu, { _id: 'x' }, null, { name: null, roles: [] }), 'you must be logged in');
  });

  it('is installed by the gateway and applies to direct writes on the server', async () => {
    const couch = await testCouch();
    const db = couch.uniqueDbName('vdu');
    const admin = Nano(couch.adminUrl);
    await admin.db.create(db);
    await admin.use(db).insert(design);
    const name = `vdu-${db.split('-').slice(-2).join('')}`;
    await admin.db.create('_users').catch(() => undefined);
    await admin.use('_users').insert({ _id: `org.couchdb.user:${name}`, type: 'user', name, password: 'pw', roles: ['chw'] } as never);
    await admin.request({ db, method: 'PUT', path: '_security', body: { admins: { names: [], roles: [] }, members: { names: [name], roles: [] } } });
    const asUser = await memberWriter(couch, db, { name, password: 'pw', roles: ['chw'] });
    await asUser.insert({ _id: 'own-task', type: 'task', user: `org.couchdb.user:${name}` });
    await assert.rejects(asUser.insert({ _id: 'their-task', type: 'task', user: 'org.couchdb.user:bob' }), (err: { statusCode?: number }) => err.statusCode === 403);
    await assert.rejects(asUser.insert({ _id: 'form:evil', type: 'form' }), (err: { statusCode?: number }) => err.statusCode === 403);
    assert.equal(CHT_DESIGN_ID, design._id);
    await admin.db.destroy(db);
  });
});
