import assert from 'node:assert/strict';
import Nano from 'nano';
import { hydrate, installShortcodeIndex, pouchSource, ShortcodeIndexMissingError, SHORTCODE_DESIGN_ID } from '../../lib/index.js';
import { installShortcodeIndexNano, nanoSource } from '../../lib/sources/nano.js';
import type { DocSource } from '../../lib/index.js';
import { shortcodeOnly } from '../lineage/sources.js';
import { memoryPouch } from '../support/pouch.js';
import { testCouch } from '../support/server.js';

const REPORT = { _id: 'r1', type: 'data_record', form: 'visit', reported_date: 1, fields: { patient_id: '12345' } };

async function rejectsNamingTheIndex(source: DocSource): Promise<void> {
  await assert.rejects(hydrate([REPORT], source), (err: unknown) => {
    assert.ok(err instanceof ShortcodeIndexMissingError, String(err));
    assert.equal(err.designDoc, SHORTCODE_DESIGN_ID);
    assert.match(err.message, /_design\/fieldsync-lineage.*installShortcodeIndex/);
    return true;
  });
}

describe('a database without the shortcode index', () => {
  it('hydrating a report by shortcode over PouchDB fails naming the design doc to install', async () => {
    await rejectsNamingTheIndex(pouchSource(memoryPouch()));
  });

  it('hydrating a report by shortcode over nano fails naming the design doc to install', async () => {
    const couch = await testCouch();
    const name = couch.uniqueDbName('no-index');
    const server = Nano(couch.adminUrl);
    await server.db.create(name);
    await rejectsNamingTheIndex(nanoSource(server.use(name)));
  });
});

const PLACES = [
  { _id: 'hh', type: 'clinic', place_id: '501', contact: { _id: 'head', parent: { _id: 'hh' } } },
  { _id: 'hh2', type: 'contact', contact_type: 'household', contact: 'head2' },
  { _id: 'head', type: 'person', patient_id: 1001, parent: { _id: 'hh' } },
  { _id: 'head2', type: 'person', parent: { _id: 'hh2' } },
  { _id: 'note', type: 'other' },
  { _id: '1001', type: 'person', name: 'an id that is also a shortcode' },
];

async function readsContactsWithTheirPrimaryContacts(source: DocSource): Promise<void> {
  const lookup = await source.findContacts?.(['hh2', 'note', 'nobody'], ['501', '1001', '999']);
  assert.ok(lookup, 'the view is installed');
  assert.deepEqual([...lookup.found.keys()].sort(), ['1001', 'head', 'head2', 'hh', 'hh2'], 'places by id or shortcode, each with its primary contact ({_id} or an id string)');
  assert.deepEqual([...lookup.byShortcode].map(([code, doc]) => [code, doc._id]).sort(), [['1001', 'head'], ['501', 'hh']], 'a numeric patient_id by its string, and not the contact whose id it is');
  assert.equal(source.stats.requests, 1);
}

describe('the lineage view', () => {
  it('over PouchDB reads contacts by id and by shortcode with their primary contacts in one request', async () => {
    const db = memoryPouch();
    await db.bulkDocs(PLACES);
    await installShortcodeIndex(db);
    await readsContactsWithTheirPrimaryContacts(pouchSource(db, { lineageView: true }));
  });

  it('over nano reads contacts by id and by shortcode with their primary contacts in one request', async () => {
    const couch = await testCouch();
    const name = couch.uniqueDbName('lineage-view');
    const server = Nano(couch.adminUrl);
    await server.db.create(name);
    const db = server.use<object>(name);
    await db.bulk({ docs: PLACES });
    await installShortcodeIndexNano(db);
    await readsContactsWithTheirPrimaryContacts(nanoSource(db));
  });

  it('is added in place to the design doc an earlier version installed, after which the same hydration takes fewer requests', async () => {
    const db = memoryPouch();
    await db.bulkDocs([...PLACES, shortcodeOnly()]);
    const report = { _id: 'r', type: 'data_record', form: 'v', contact: { _id: 'head', parent: { _id: 'hh' } }, fields: { patient_id: '1001' } };
    const before = pouchSource(db, { lineageView: true });
    assert.equal(await before.findContacts?.(['hh'], []), undefined, 'the view is missing');
    const withoutView = pouchSource(db, { lineageView: true });
    const old = await hydrate([report], withoutView);
    assert.equal(withoutView.stats.requests, 3, 'the view\'s 404, the shortcode view, the author and its place by id');
    await installShortcodeIndex(db);
    assert.deepEqual(Object.keys((await db.get(SHORTCODE_DESIGN_ID) as unknown as { views: object }).views).sort(), ['contacts_by_ref', 'contacts_by_shortcode']);
    const source = pouchSource(db, { lineageView: true });
    assert.deepEqual(await hydrate([report], source), old);
    assert.equal(source.stats.requests, 1, 'the author, its place, the patient by shortcode and their primary contacts at once');
  });
});

describe('pouchSource and the lineage view', () => {
  it('reads through the view over HTTP, where a request is a round trip, and by id on a local database unless asked', async () => {
    const couch = await testCouch();
    const remote = couch.adminPouch(couch.uniqueDbName('lineage-remote'));
    await remote.info();
    assert.equal(typeof pouchSource(remote).findContacts, 'function');
    assert.ok(!('findContacts' in pouchSource(remote, { lineageView: false })));
    const local = memoryPouch();
    assert.ok(!('findContacts' in pouchSource(local)));
    assert.equal(typeof pouchSource(local, { lineageView: true }).findContacts, 'function');
  });
});
