import assert from 'node:assert/strict';
import type { SeedDoc } from '../../lib/seed/dataset.js';
import { attackWorld } from '../security/gateway-attacker.js';
import type { AttackWorld } from '../security/gateway-attacker.js';
import { expectedIds } from './expected.js';
import { feed, sorted, walk, who } from './feed.js';

const minus = (a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> => new Set([...a].filter((id) => !b.has(id)));

describe('gateway _changes: access changes reach the feed as exactly the gained and lost documents', function () {
  this.timeout(90_000);
  let w: AttackWorld;
  beforeEach(async () => { w = await attackWorld(); });
  afterEach(async () => { await w.stop(); });

  /** The data set with `doc` replaced. */
  const withDoc = (docs: readonly SeedDoc[], doc: SeedDoc): SeedDoc[] => docs.map((d) => (d._id === doc._id ? doc : d));

  it('answers a facility reassignment with the new facility\'s documents and, with removals=true, the old ones removed', async () => {
    const me = who(w, 'chw11');
    const user = w.world.user('chw11');
    const before = await feed(w, me, 'since=now');
    const other = w.world.user('chw12');
    const settingsId = `org.couchdb.user:${user.name}`;
    const stored = await w.world.admin.get(settingsId);
    await w.world.admin.insert({ ...stored, facility_id: other.facilityId });
    const oldSet = expectedIds(w.world.data.medic, user);
    const newSet = expectedIds(w.world.data.medic, user, other.facilityId);
    const since = encodeURIComponent(before.last_seq);

    const plain = await feed(w, me, `since=${since}`);
    assert.ok(plain.results.every((e) => !e.removed), 'no removal without removals=true');
    assert.deepEqual(sorted(plain.results.map((e) => e.id)), sorted([...minus(newSet, oldSet), settingsId]));

    const withRemovals = await walk(w, me, before.last_seq, 'removals=true', 50);
    const removed = withRemovals.entries.filter((e) => e.removed);
    assert.deepEqual(sorted(removed.map((e) => e.id)), sorted(minus(oldSet, newSet)));
    for (const entry of removed) assert.deepEqual(entry.changes, []);
    assert.deepEqual(sorted(withRemovals.entries.filter((e) => !e.removed).map((e) => e.id)), sorted([...minus(newSet, oldSet), settingsId]));
    // Once the episode is answered, the feed is quiet again.
    const after = await feed(w, me, `since=${encodeURIComponent(withRemovals.last)}&removals=true`);
    assert.deepEqual(after.results, []);
  });

  it('answers a contact moved into the area with exactly it and its documents, and removes exactly those from the user who lost it', async () => {
    const gainer = w.world.user('chw11');
    const loser = w.world.user('chw12');
    const docs = w.world.data.medic;
    const household = docs.find((d) => d.type === 'clinic' && (d['parent'] as { _id: string })._id === gainer.facilityId)!;
    const moved = docs.find((d) => d.type === 'person' && expectedIds(docs, loser).has(d._id)
      && (d['parent'] as { _id: string })._id !== loser.facilityId && d._id !== loser.contactId)!;
    const cursors = { supervisor: await feed(w, who(w, 'supervisor1'), 'since=now'), gainer: await feed(w, who(w, 'chw11'), 'since=now'), loser: await feed(w, who(w, 'chw12'), 'since=now') };
    const stored = await w.world.admin.get(moved._id);
    const parent = { _id: household._id, parent: household['parent'] };
    await w.world.admin.insert({ ...stored, parent });
    const after = withDoc(docs, { ...moved, parent });

    const gained = minus(expectedIds(after, gainer), expectedIds(docs, gainer));
    assert.ok(gained.has(moved._id) && gained.size > 1, 'the move brings the person and their reports');
    const forGainer = await walk(w, who(w, 'chw11'), cursors.gainer.last_seq, 'removals=true', 1_000);
    assert.deepEqual(sorted(forGainer.entries.map((e) => e.id)), sorted(gained));
    assert.ok(forGainer.entries.every((e) => !e.removed));

    const lost = minus(expectedIds(docs, loser), expectedIds(after, loser));
    assert.deepEqual(sorted(lost), sorted(gained));
    const forLoser = await walk(w, who(w, 'chw12'), cursors.loser.last_seq, 'removals=true', 1_000);
    assert.deepEqual(sorted(forLoser.entries.map((e) => e.id)), sorted(lost));
    assert.ok(forLoser.entries.every((e) => e.removed));
    // The supervisor sees both areas: only the changed person, nothing removed.
    const cursor = cursors.supervisor.last_seq;
    const forSupervisor = await feed(w, who(w, 'supervisor1'), `since=${encodeURIComponent(cursor)}&removals=true`);
    assert.deepEqual(forSupervisor.results.map((e) => [e.id, e.removed === true]), [[moved._id, false]]);
  });

  it('lists a deletion of a visible document as deleted, its tombstone fetchable, and never one the user could not see', async () => {
    const me = who(w, 'chw11');
    const cursor = await feed(w, me, 'since=now');
    const mine = w.world.data.medic.find((d) => d.type === 'data_record' && w.visibleTo('chw11').has(d._id))!;
    const theirs = w.invisibleTo('chw11', 'data_record');
    const liveRev = (await w.world.admin.get(mine._id))._rev;
    const deletedMine = await w.world.admin.destroy(mine._id, liveRev);
    await w.world.admin.destroy(theirs, (await w.world.admin.get(theirs))._rev);
    const answer = await feed(w, me, `since=${encodeURIComponent(cursor.last_seq)}&removals=true&include_docs=true`);
    assert.deepEqual(answer.results.map((e) => [e.id, e.deleted, e.changes.map((c) => c.rev)]), [[mine._id, true, [deletedMine.rev]]]);
    assert.deepEqual(answer.results[0]!.doc, { _id: mine._id, _rev: deletedMine.rev, _deleted: true });
    const got = await w.json(me, 'POST', '_bulk_get?revs=true', { docs: [{ id: mine._id, rev: deletedMine.rev }] });
    assert.equal(got.status, 200, got.text);
    const ok = (got.json as { results: Array<{ docs: Array<{ ok?: { _deleted?: boolean } }> }> }).results[0]!.docs[0]!.ok;
    assert.equal(ok?._deleted, true);
    // Asked by the revision the device holds, with latest=true (as PouchDB's replicator asks): the tombstone.
    const latest = await w.json(me, 'POST', '_bulk_get?revs=true&latest=true', { docs: [{ id: mine._id, rev: liveRev }] });
    const latestDocs = (latest.json as { results: Array<{ docs: Array<{ ok?: { _rev?: string; _deleted?: boolean } }> }> }).results[0]!.docs;
    assert.deepEqual(latestDocs.map((d) => [d.ok?._rev, d.ok?._deleted]), [[deletedMine.rev, true]]);
  });

  it('never lists as removed a document the user could not see before nor now', async () => {
    const me = who(w, 'chw11');
    const cursor = await feed(w, me, 'since=now');
    // A report of chw12's area moves to another of chw12's patients: chw11 never saw it either way.
    const docs = w.world.data.medic;
    const report = docs.find((d) => d.type === 'data_record' && expectedIds(docs, w.world.user('chw12')).has(d._id) && !expectedIds(docs, w.world.user('chw11')).has(d._id))!;
    const target = docs.find((d) => d.type === 'person' && expectedIds(docs, w.world.user('chw12')).has(d._id) && !expectedIds(docs, w.world.user('chw11')).has(d._id))!;
    const stored = await w.world.admin.get(report._id);
    await w.world.admin.insert({ ...stored, patient_id: target._id, fields: { ...(stored['fields'] as object), patient_id: target._id, patient_uuid: target._id } });
    const answer = await feed(w, me, `since=${encodeURIComponent(cursor.last_seq)}&removals=true`);
    assert.deepEqual(answer.results, []);
  });
});
