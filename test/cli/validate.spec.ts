import assert from 'node:assert/strict';
import Nano from 'nano';
import { testCouch, withCredentials } from '../support/server.js';
import { sampleDoc } from '../phr/data.js';
import { runCli } from './run.js';

describe('fieldsync validate', function () {
  this.timeout(120_000);

  it('reports none in a clean seeded database and every planted defect in a spoiled one', async () => {
    const couch = await testCouch();
    const url = withCredentials(couch.url, couch.admin.username, couch.admin.password);
    const db = couch.uniqueDbName('validate');
    const phrDb = couch.uniqueDbName('validate-phr');
    const seeded = await runCli(['seed', url, '--db', db, '--phr-db', phrDb, '--seed', '3', '--now', '2026-06-01', '--json']);
    assert.equal(seeded.code, 0, seeded.stderr);

    const clean = await runCli(['validate', url, '--db', db]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    const cleanPhr = await runCli(['validate', url, '--db', phrDb, '--schema', 'phr']);
    assert.equal(cleanPhr.code, 0, cleanPhr.stdout);
    assert.match(clean.stdout, /kinds: .*person=\d+.*report=\d+/);
    assert.match(clean.stdout, /all documents are valid/);

    const admin = Nano(url).use<Record<string, unknown>>(db);
    const { rows } = await admin.list({ include_docs: true });
    const person = rows.find((r) => r.doc?.['type'] === 'person')?.doc as unknown as Record<string, unknown> & { _id: string; parent: { _id: string } };
    await admin.bulk({ docs: [
      { _id: 'bad-date', type: 'person', reported_date: 'yesterday', parent: person.parent },
      { _id: 'bad-lineage', type: 'person', reported_date: 1, parent: { _id: 'c1', parent: { _id: 5 } } },
      { _id: 'orphan', type: 'person', reported_date: 1, parent: { _id: 'no-such-place' } },
      { _id: 'wrong-lineage', type: 'person', reported_date: 1, parent: { _id: person.parent._id, parent: { _id: 'not-its-grandparent' } } },
      { _id: 'ghost-author', type: 'data_record', form: 'visit', reported_date: 1, fields: {}, contact: { _id: 'nobody' } },
      { _id: 'org.couchdb.user:twin', type: 'user-settings', name: 'twin', roles: [], known: true },
      { _id: 'twin-copy', type: 'user-settings', name: 'twin', roles: [], known: true },
    ] });
    const spoiled = await runCli(['validate', url, '--db', db, '--json']);
    assert.equal(spoiled.code, 1);
    const result = JSON.parse(spoiled.stdout) as { invalid: Array<{ id: string; problems: Array<{ path: string }> }>; crossDocument: Array<{ kind: string; docId?: string; name?: string }> };
    const invalid = new Map(result.invalid.map((i) => [i.id, i.problems.map((p) => p.path)]));
    assert.deepEqual(invalid.get('bad-date'), ['reported_date']);
    assert.deepEqual(invalid.get('bad-lineage'), ['parent.parent._id']);
    assert.ok(invalid.has('twin-copy'), 'a user-settings id must match its name');
    const cross = result.crossDocument.map((p) => `${p.kind}:${p.docId ?? p.name}`);
    for (const expected of ['missing-parent:orphan', 'lineage-mismatch:wrong-lineage', 'missing-contact:ghost-author', 'duplicate-user-settings:twin']) {
      assert.ok(cross.includes(expected), `${expected} in ${cross.join(', ')}`);
    }
    const text = await runCli(['validate', url, '--db', db]);
    assert.match(text.stdout, /invalid bad-date: reported_date: expected Timestamp \(ms number\), found "yesterday"/);
    await Nano(url).db.destroy(db);
  });

  it('validates a PHR database with the PHR codecs', async () => {
    const couch = await testCouch();
    const url = withCredentials(couch.url, couch.admin.username, couch.admin.password);
    const db = couch.uniqueDbName('phr-validate');
    const nano = Nano(url);
    await nano.db.create(db);
    await nano.use(db).bulk({ docs: [sampleDoc('carts', 'u1', 1), sampleDoc('pricings', 'shared', 1), { ...sampleDoc('rewardbalances', 'u1', 1), points: -3 }] });
    const run = await runCli(['validate', url, '--db', db, '--schema', 'phr']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /kinds: carts=1 invalid=1 pricings=1/);
    assert.match(run.stdout, /invalid rewardbalances:u1-1: points: expected NonNegativeNumber, found -3/);
    const missing = await runCli(['validate', url, '--db', 'no-such-db']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.trim(), 'fieldsync: database no-such-db does not exist');
    await nano.db.destroy(db);
  });
});
