import assert from 'node:assert/strict';
import Nano from 'nano';
import { hydrate, pouchSource, ShortcodeIndexMissingError, SHORTCODE_DESIGN_ID } from '../../lib/index.js';
import { nanoSource } from '../../lib/sources/nano.js';
import type { DocSource } from '../../lib/index.js';
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
