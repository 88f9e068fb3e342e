import assert from 'node:assert/strict';
import fc from 'fast-check';
import Nano from 'nano';
import { generateDataSet } from '../../lib/seed/dataset.js';
import { chtDesignDoc, CHT_DESIGN_ID } from '../../lib/cht/design.js';
import { chtReadByContexts, chtReplicationKeys, DEFAULT_PUBLIC_DOCS, privateFiling, replicationSubject, shortcodeOf } from '../../lib/cht/keys.js';
import { privateVisible } from '../../lib/cht/context.js';
import { isContact } from '../../lib/lineage/shapes.js';
import { chtAccessRules } from '../../lib/cht/rules.js';
import { createSyncGateway, gatewayDatabase } from '../../lib/sync/gateway/index.js';
import type { ChtContext } from '../../lib/cht/context.js';
import type { ChtFacts } from '../../lib/cht/facts.js';
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

const anyValue = fc.oneof(fc.string({ maxLength: 4 }), fc.constant(undefined), fc.constant(''), fc.integer());
const flagValue = fc.constantFrom(true, 'true', false, 'false', 1, undefined);
const chainLink = (depth: number): fc.Arbitrary<unknown> => (depth === 0
  ? fc.record({ _id: anyValue })
  : fc.record({ _id: anyValue, parent: fc.option(chainLink(depth - 1), { nil: undefined }) }, { requiredKeys: [] }));
/** Documents of every kind the rules file, with the fields that decide where (private, needs_signoff, author chains). */
const generatedDoc = fc.record({
  _id: fc.oneof(fc.string({ minLength: 1, maxLength: 6 }), fc.constantFrom('org.couchdb.user:a', 'org.couchdb.user:b', 'settings')),
  type: fc.constantFrom('data_record', 'person', 'clinic', 'task', 'target', 'form', 'user-settings', 'other', undefined),
  form: anyValue, patient_id: anyValue, place_id: anyValue, patient_uuid: anyValue, user: anyValue, owner: anyValue,
  fields: fc.record({ patient_id: anyValue, place_id: anyValue, patient_uuid: anyValue, private: flagValue, needs_signoff: flagValue }, { requiredKeys: [] }),
  contact: fc.option(chainLink(3), { nil: undefined }),
  errors: fc.option(fc.constant([{ code: 'registration_not_found' }]), { nil: undefined }),
}, { requiredKeys: ['_id'] });

const design = chtDesignDoc(DEFAULT_PUBLIC_DOCS) as AnyDoc & { views: Record<string, { map: string }>; validate_doc_update: string };
const data = generateDataSet({ size: 'medium', seed: 3, now: Date.UTC(2026, 0, 1) });

describe('CHT replication keys', () => {
  it('says no context reads a document only when the context views emit nothing for it and it is no user-settings id', () => {
    const design = chtDesignDoc(DEFAULT_PUBLIC_DOCS) as unknown as { views: Record<string, { map: string }> };
    const data = generateDataSet({ size: 'small', seed: 5, now: Date.UTC(2026, 0, 1) });
    const reports = data.medic.filter((d) => d.type === 'data_record');
    const variants: AnyDoc[] = [
      ...data.medic, ...data.users,
      ...reports.map((d) => ({ ...d, fields: { ...(d['fields'] as object), private: true } })),
      ...reports.map((d) => ({ ...d, fields: { ...(d['fields'] as object), private: 'true' } })),
      { _id: 'org.couchdb.user:x', type: 'data_record' },
    ];
    let unread = 0;
    for (const doc of variants) {
      if (chtReadByContexts(doc)) continue;
      unread += 1;
      assert.ok(!doc._id.startsWith('org.couchdb.user:'), doc._id);
      for (const view of ['contacts_by_depth', 'private_reports']) assert.deepEqual(runMap(design.views[view]!.map, doc), [], `${view} ${doc._id}`);
    }
    assert.ok(unread >= reports.length, 'plain reports are read by no context');
  });

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
      // A document with conflicting leaves carries them, so the pull list can offer them.
      for (const [, value] of runMap(viewSource, { ...withRev, _conflicts: ['1-b'] })) assert.deepEqual(value, { rev: '1-a', conflicts: ['1-b'] });
    };
    for (const doc of data.medic) check(doc);
    fc.assert(fc.property(generatedDoc, (doc) => check(doc as AnyDoc)), { seed: 14, numRuns: 500 });
  });

  it('the private_reports view files every private report as privateFiling does, and nothing else', () => {
    const source = design.views['private_reports']?.map ?? '';
    const check = (doc: AnyDoc): void => {
      const filing = privateFiling(doc);
      const expected = filing ? filing.keys.map((key) => [key, [filing.subject, filing.submitter]]) : [];
      assert.deepEqual(runMap(source, { ...doc, _rev: '1-a' }), expected, JSON.stringify(doc));
    };
    for (const doc of data.medic) check(doc);
    fc.assert(fc.property(generatedDoc, (doc) => check(doc as AnyDoc)), { seed: 17, numRuns: 500 });
  });

  it('the contact_keys view lists every contact under its id and its string shortcode', () => {
    const source = design.views['contact_keys']?.map ?? '';
    fc.assert(fc.property(generatedDoc, (generated) => {
      const doc = generated as AnyDoc;
      const code = shortcodeOf(doc);
      const expected = isContact(doc) ? [doc._id, ...(code && code !== doc._id ? [code] : [])] : [];
      assert.deepEqual(runMap(source, doc).map(([key]) => key), expected);
    }), { seed: 7, numRuns: 300 });
  });

  it('files private reports under their own key and needs_signoff reports under the author\'s hierarchy too', () => {
    const author = { _id: 'chw', parent: { _id: 'hc', parent: { _id: 'district' } } };
    const signoff = { _id: 'r1', type: 'data_record', form: 'f', fields: { patient_id: 'p1', needs_signoff: 'true' }, contact: author };
    assert.deepEqual(chtReplicationKeys(signoff), ['p1', 'chw', 'hc', 'district']);
    assert.deepEqual(chtReplicationKeys({ ...signoff, fields: { needs_signoff: true } }), ['chw', 'hc', 'district'], 'the author is the subject once');
    const secret = { ...signoff, fields: { place_id: 'hc', private: true } };
    assert.deepEqual(chtReplicationKeys(secret), ['_private:r1']);
    assert.deepEqual(privateFiling(secret), { keys: ['hc'], subject: 'hc', submitter: 'chw' });
    assert.equal(privateFiling({ ...secret, form: undefined }), undefined, 'an SMS without form is never private, as in cht-core');
    const sensitive = new Set(['hc']);
    assert.equal(privateVisible(secret, (k) => ['hc'].includes(k), sensitive), false, 'about my place, by someone I do not see');
    assert.equal(privateVisible(secret, (k) => ['hc', 'chw'].includes(k), sensitive), true, 'about my place, by someone I see');
    assert.equal(privateVisible(secret, (k) => ['hc'].includes(k), new Set()), true, 'about a place that is not mine');
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
  const context: ChtContext = {
    userId: 'org.couchdb.user:amy', facilityIds: ['hc'], contactId: 'amy-person', depth: 1,
    contacts: { hc: null, household: 'H1', 'amy-person': null }, privateReports: [],
  };
  const hc = { _id: 'hc', type: 'health_centre' };
  const household = { _id: 'household', type: 'clinic', parent: { _id: 'hc' } };
  const facts: ChtFacts = { holders: new Map(), contacts: new Map([[hc._id, hc], [household._id, household]]) };

  /** The verdict on `docs[0]` when `docs` are pushed together over `stored`. */
  function verdictOn(docs: AnyDoc[], stored: AnyDoc[] = [], ctx: ChtContext = context, with_ = rules): string | undefined {
    const verdict = with_.checkWrites(docs, new Map(stored.map((d) => [d._id, d])), ctx, facts)[0];
    return verdict?.reason;
  }

  it('judges a new contact by its parent and the depth limit, including contacts made in the same push', () => {
    const inHousehold = { _id: 'baby', type: 'person', parent: { _id: 'household', parent: { _id: 'hc' } } };
    const deeper = { _id: 'deeper', type: 'person', parent: { _id: 'baby', parent: inHousehold.parent } };
    const newHousehold = { _id: 'h2', type: 'clinic', parent: { _id: 'hc' } };
    const inNewHousehold = { _id: 'p2', type: 'person', parent: { _id: 'h2', parent: { _id: 'hc' } } };
    assert.equal(verdictOn([newHousehold]), undefined);
    assert.match(verdictOn([inHousehold]) ?? '', /outside your area/, 'depth 2 is beyond depth 1');
    assert.match(verdictOn([deeper, inHousehold]) ?? '', /outside/);
    assert.match(verdictOn([inNewHousehold, newHousehold]) ?? '', /outside/, 'depth limit applies to batch contacts too');
    const unlimited = chtAccessRules();
    const wide = { ...context, depth: -1 };
    assert.equal(verdictOn([inNewHousehold, newHousehold], [], wide, unlimited), undefined, 'a parent made in the same push counts');
    assert.equal(verdictOn([deeper, inHousehold], [], wide, unlimited), undefined);
  });

  it('refuses a deletion of a document the user cannot see, and allows one they can', () => {
    assert.equal(verdictOn([{ _id: 'household', _deleted: true }], [household]), undefined);
    assert.match(verdictOn([{ _id: 'x', _deleted: true }], [{ _id: 'x', type: 'person', parent: { _id: 'elsewhere' } }]) ?? '', /not visible/);
  });

  it('refuses a contact claiming an id or shortcode another contact holds, on the server or in the same push', () => {
    const parent = { _id: 'household', parent: { _id: 'hc' } };
    const wide = { ...context, depth: -1, contacts: { ...context.contacts, kept: 'S2' } };
    const unlimited = chtAccessRules();
    const holders = new Map([['S1', new Set(['elsewhere'])], ['S2', new Set(['kept', 'elsewhere'])]]);
    const judge = (docs: AnyDoc[], stored: AnyDoc[] = []): Array<string | undefined> =>
      unlimited.checkWrites(docs, new Map(stored.map((d) => [d._id, d])), wide, { ...facts, holders }).map((v) => v?.reason);
    assert.match(judge([{ _id: 'a', type: 'person', parent, patient_id: 'S1' }])[0] ?? '', /taken/);
    assert.match(judge([{ _id: 'S1', type: 'person', parent }])[0] ?? '', /another contact's shortcode/);
    assert.deepEqual(judge([{ _id: 'b', type: 'person', parent, patient_id: 'S3' }, { _id: 'c', type: 'person', parent, patient_id: 'S3' }]).map((r) => /taken/.test(r ?? '')), [true, true]);
    assert.match(judge([{ _id: 'd', type: 'person', parent, patient_id: 'org.couchdb.user:bob' }])[0] ?? '', /cannot be a shortcode/);
    const kept = { _id: 'kept', type: 'person', parent, patient_id: 'S2' };
    assert.equal(judge([{ ...kept, name: 'edited' }], [kept])[0], undefined, 'a shortcode it already had is not claimed anew');
  });

  it('judges each contact once, parents first, whatever the order of the push', () => {
    const wide = { ...context, depth: -1 };
    const chain = Array.from({ length: 50 }, (_, i) => ({ _id: `c${i}`, type: 'clinic', parent: { _id: i === 0 ? 'hc' : `c${i - 1}` } }));
    // Each with its true lineage: c_i under c_{i-1} ... under hc.
    const docs = chain.map((doc, i) => {
      let parent: Record<string, unknown> = { _id: 'hc' };
      for (let j = 0; j < i; j += 1) parent = { _id: `c${j}`, parent };
      return { ...doc, parent };
    });
    const verdicts = chtAccessRules().checkWrites([...docs].reverse(), new Map(), wide, facts);
    assert.deepEqual(verdicts.map((v) => v?.reason), docs.map(() => undefined));
    const broken = chtAccessRules().checkWrites([...docs.slice(1)].reverse(), new Map(), wide, facts);
    assert.ok(broken.every((v) => v !== undefined), 'without the first, none is placed');
  });

  it('never accepts a doc marked purged or the user\'s own facility', () => {
    assert.match(verdictOn([{ ...household, purged: true }], [household]) ?? '', /purged/);
    assert.match(verdictOn([{ _id: 'hc', type: 'health_centre', name: 'renamed' }], [hc]) ?? '', /own facility/);
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
      ['a person at another user\'s id', { _id: 'org.couchdb.user:bob', type: 'person' }, null, 'users write only their own user-settings'],
      ['a person at my own id', { _id: 'org.couchdb.user:amy', type: 'person' }, null, 'user-settings are created by admins'],
      ['re-typing own settings', { _id: 'org.couchdb.user:amy', type: 'person' }, { _id: 'org.couchdb.user:amy', type: 'user-settings' }, 'user-settings stay user-settings'],
      ['a person at another user\'s task id', { _id: 'task~org.couchdb.user:bob~e~1', type: 'person' }, null, 'a task id names its user: task~org.couchdb.user:bob~e~1 is not yours'],
      ['a target at another user\'s target id', { _id: 'target~2026-01~c~org.couchdb.user:bob', type: 'target', user: 'org.couchdb.user:amy' }, null, 'a target id names its user: target~2026-01~c~org.couchdb.user:bob is not yours'],
      ['someone else\'s target', { _id: 't2', type: 'target', user: 'org.couchdb.user:bob' }, null, 'a target belongs to the user in its user field'],
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
    // An outdated design doc is replaced by the rules' own.
    await admin.use(db).insert({ _id: CHT_DESIGN_ID, views: {} });
    await createSyncGateway({ couchUrl: couch.url, admin: couch.admin, databases: { [db]: gatewayDatabase(chtAccessRules()) } }).install();
    const { _rev: _installed, ...installed } = await admin.use(db).get(CHT_DESIGN_ID) as AnyDoc;
    assert.deepEqual(installed, design, 'the design doc on the server is the rules\' own');
    const name = `vdu-${db.split('-').slice(-2).join('')}`;
    await admin.db.create('_users').catch(() => undefined);
    await admin.use('_users').insert({ _id: `org.couchdb.user:${name}`, type: 'user', name, password: 'pw', roles: ['chw'] } as never);
    await admin.request({ db, method: 'PUT', path: '_security', body: { admins: { names: [], roles: [] }, members: { names: [name], roles: [] } } });
    const asUser = await memberWriter(couch, db, { name, password: 'pw', roles: ['chw'] });
    await asUser.insert({ _id: 'own-task', type: 'task', user: `org.couchdb.user:${name}` });
    await assert.rejects(asUser.insert({ _id: 'their-task', type: 'task', user: 'org.couchdb.user:bob' }), (err: { statusCode?: number }) => err.statusCode === 403);
    await assert.rejects(asUser.insert({ _id: 'form:evil', type: 'form' }), (err: { statusCode?: number }) => err.statusCode === 403);
    await admin.db.destroy(db);
  });
});
