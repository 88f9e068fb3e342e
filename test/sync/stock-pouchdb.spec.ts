import assert from 'node:assert/strict';
import { memoryPouch, PouchDB } from '../support/pouch.js';
import { assertHoldsExactly, conflictedDoc, heldIds, movePerson, reportBy, serverDocs, stockRemote, until, visibleDoc, visibleNow } from './stock.js';
import type { SentRequest } from './stock.js';
import { syncWorld } from './world.js';
import type { SyncWorld } from './world.js';

describe('stock PouchDB through the gateway', function () {
  this.timeout(120_000);
  let world: SyncWorld;
  before(async () => { world = await syncWorld(); });
  after(async () => { await world.stop(); });

  for (const name of ['chw11', 'supervisor1']) {
    it(`replicate.from gives ${name} exactly the docs the rules give them, and no design doc`, async () => {
      const user = world.user(name);
      const local = memoryPouch();
      const { remote } = stockRemote(world, user);
      const result = await PouchDB.replicate(remote, local);
      assert.equal(result.ok, true);
      assert.equal(result.doc_write_failures, 0);
      await assertHoldsExactly(world, local, await visibleNow(world, user), name);
    });
  }

  it('pages of 7 changes, resumed from each page\'s last seq, give the same exact set', async () => {
    const user = world.user('chw11');
    const local = memoryPouch();
    const { remote, sent } = stockRemote(world, user);
    await PouchDB.replicate(remote, local, { batch_size: 7, batches_limit: 1 });
    await assertHoldsExactly(world, local, await visibleNow(world, user), 'chw11');
    const pages = sent.filter((r) => r.path.startsWith('_changes'));
    assert.ok(pages.length > 3, `paged through _changes (${pages.length} requests)`);
    assert.ok(pages.every((r) => r.status === 200), pages.map((r) => `${r.status} ${r.path}`).join('\n'));
  });

  it('resumes from its _local checkpoint, kept per user by the gateway: the next replication reads no doc again', async () => {
    const user = world.user('chw11');
    const local = memoryPouch();
    const first = stockRemote(world, user);
    const done = await PouchDB.replicate(first.remote, local);
    const checkpoint = first.sent.find((r) => r.method === 'PUT' && r.path.startsWith('_local/'));
    assert.ok(checkpoint, 'the replicator wrote a checkpoint on the gateway');
    assert.equal(checkpoint.status, 201);
    const id = decodeURIComponent(checkpoint.path.slice('_local/'.length));
    const stored = await world.admin.get(`_local/fieldsync~${user.name}~${id}`) as unknown as { last_seq: unknown };
    assert.equal(stored.last_seq, done.last_seq, 'the checkpoint holds the last seq of the replication');

    const again = stockRemote(world, user);
    const second = await PouchDB.replicate(again.remote, local);
    assert.equal(second.docs_read, 0);
    const firstChanges = again.sent.find((r) => r.path.startsWith('_changes'));
    assert.ok(firstChanges);
    assert.equal(new URLSearchParams(firstChanges.path.split('?')[1]).get('since'), String(done.last_seq), 'started from the checkpoint');
    assert.ok(!again.sent.some((r) => r.path.startsWith('_bulk_get')), 'fetched nothing');
  });

  it('a later replicate.from brings a new visible write and a deletion, and never an invisible write', async () => {
    const me = world.user('chw11');
    const other = world.user('chw12');
    const local = memoryPouch();
    await PouchDB.replicate(stockRemote(world, me).remote, local);
    const victim = await visibleDoc(world, me, 'data_record');
    const { _rev } = await world.admin.get(victim._id);
    await world.admin.destroy(victim._id, _rev);
    await world.admin.insert(reportBy(other, 'stock-invisible-1', { notes: 'not-for-chw11' }));
    await world.admin.insert(reportBy(me, 'stock-visible-1'));
    await PouchDB.replicate(stockRemote(world, me).remote, local);
    await assertHoldsExactly(world, local, await visibleNow(world, me), 'chw11');
    assert.ok((await heldIds(local)).includes('stock-visible-1'));
    await assert.rejects(local.get(victim._id), (err: { status?: number; reason?: string }) => err.status === 404 && err.reason === 'deleted');
  });

  it('keeps, without its new revision, a doc that left the user\'s view (a stock client gets no removals)', async () => {
    const me = world.user('chw11');
    const other = world.user('chw12');
    const local = memoryPouch();
    await PouchDB.replicate(stockRemote(world, me).remote, local);
    const seen = await visibleNow(world, me);
    const moved = await movePerson(world, me, other, 'moved-secret-91c2');
    const { remote, sent } = stockRemote(world, me);
    await PouchDB.replicate(remote, local);
    assert.equal((await local.get(moved.id))._rev, moved.oldRev);
    const answers = sent.filter((r) => r.path.startsWith('_changes')).map((r) => r.text ?? '').join('\n');
    for (const secret of [moved.id, moved.newRev, 'moved-secret-91c2']) assert.ok(!answers.includes(secret), `_changes named ${secret}`);
    // What left the view stays (the moved person and the reports about them); everything else is exact.
    const now = await visibleNow(world, me);
    const stays = [...seen].filter((id) => !now.has(id));
    assert.ok(stays.includes(moved.id));
    assert.deepEqual(await heldIds(local), [...now, ...stays].sort());
  });

  it('a doc that leaves the user\'s view between _changes and _bulk_get never aborts the replication, nor arrives in its new revision', async () => {
    const me = world.user('chw11');
    const other = world.user('chw12');
    const people = new Set((await serverDocs(world)).filter((d) => d.type === 'person').map((d) => d._id));
    let moved: { id: string; oldRev: string; newRev: string } | undefined;
    const { remote } = stockRemote(world, me, async (path, body) => {
      if (moved || !path.startsWith('_bulk_get') || !body) return;
      const asked = (JSON.parse(body) as { docs: Array<{ id: string }> }).docs.map((d) => d.id);
      const person = asked.find((id) => people.has(id) && id !== me.contactId);
      if (person) moved = await movePerson(world, me, other, 'race-secret-3e3e', person);
    });
    const local = memoryPouch();
    const seen = await visibleNow(world, me);
    const result = await PouchDB.replicate(remote, local);
    assert.ok(moved, 'a person was moved while the replication fetched it');
    assert.equal(result.ok, true);
    const held = await local.get(moved.id).catch(() => undefined);
    assert.ok(held === undefined || held._rev === moved.oldRev, 'the doc is held at the revision listed, or not at all');
    const now = await visibleNow(world, me);
    for (const id of await heldIds(local)) assert.ok(now.has(id) || seen.has(id), `${id} was visible to chw11`);
  });

  it('a conflict whose losing leaf is about someone else replicates with exactly the visible leaves, never the hidden body', async () => {
    const me = world.user('chw11');
    const other = world.user('chw12');
    const local = memoryPouch();
    const before = await PouchDB.replicate(stockRemote(world, me).remote, local);
    const id = 'stock-conflicted-1';
    const doc = await conflictedDoc(world, id, reportBy(me, id));
    await PouchDB.replicate(stockRemote(world, me).remote, local);
    assert.deepEqual((await local.get(id, { conflicts: true }))._conflicts, [doc.visible], 'the visible conflict arrived');
    // Then a losing leaf about someone in another area: a stock client asks for every leaf the feed names.
    const hidden = await doc.addHidden(other.contactId, 'hidden-leaf-secret-4b1d');
    for (const from of ['an incremental replication', 'a first replication']) {
      const target = from === 'a first replication' ? memoryPouch() : local;
      const { remote, sent } = stockRemote(world, me);
      const result = await PouchDB.replicate(remote, target).catch((err: unknown) => ({ ok: false, errors: [String(err)] }));
      // Not a failure: the server root probe and a first checkpoint's absence.
      const expected = (r: SentRequest): boolean => r.path.startsWith('http') || (r.status === 404 && r.path.startsWith('_local/'));
      const failures = sent.filter((r) => r.status >= 400 && !expected(r)).map((r) => `${r.status} ${r.method} ${r.path}`);
      assert.deepEqual({ ok: result.ok, failures, errors: result.errors }, { ok: true, failures: [], errors: [] }, from);
      const held = await target.get(id, { conflicts: true });
      assert.equal(held._rev, doc.winner, `${from}: the winner`);
      assert.deepEqual(held._conflicts, [doc.visible], `${from}: the visible losing leaf, not the hidden one`);
      await assert.rejects(target.get(id, { rev: hidden }), `${from}: the hidden leaf is not held`);
      const answers = sent.map((r) => r.text ?? '').join('\n');
      for (const secret of [hidden, 'hidden-leaf-secret-4b1d']) assert.ok(!answers.includes(secret), `${from}: an answer named ${secret}`);
      await assertHoldsExactly(world, target, await visibleNow(world, me), 'chw11');
    }
    // The feed itself, asked by the stock client: only the leaves the user may read, with or without docs.
    const { remote } = stockRemote(world, me);
    for (const since of [before.last_seq, 0]) {
      const feed = await remote.changes({ since, style: 'all_docs', include_docs: true, conflicts: true });
      const entry = feed.results.find((r) => r.id === id);
      assert.ok(entry, `the feed from ${String(since)} lists the conflicted doc`);
      assert.deepEqual(entry.changes.map((c) => c.rev).sort(), [doc.winner, doc.visible].sort(), `the leaves from ${String(since)}`);
      assert.deepEqual((entry.doc as { _conflicts?: string[] } | undefined)?._conflicts, [doc.visible], `_conflicts from ${String(since)}`);
    }
    // The conflict resolved on the server (the visible loser deleted): the device learns it from the bare tombstone.
    await world.admin.destroy(id, doc.visible);
    const resolved = await PouchDB.replicate(stockRemote(world, me).remote, local);
    assert.equal(resolved.ok, true);
    assert.equal((await local.get(id, { conflicts: true }))._conflicts, undefined, 'no conflict left on the device');
  });

  it('sync pushes the device\'s writes and pulls exactly the user\'s docs', async () => {
    const me = world.user('chw11');
    const local = memoryPouch();
    await local.put(reportBy(me, 'stock-pushed-1'));
    const { remote } = stockRemote(world, me);
    const result = await local.sync(remote);
    assert.equal(result.push?.docs_written, 1);
    assert.equal((await world.admin.get('stock-pushed-1'))['contact'] !== undefined, true, 'the push reached the server');
    await assertHoldsExactly(world, local, await visibleNow(world, me), 'chw11');
  });

  it('live with retry brings a new visible write and a deletion, and never an invisible write', async () => {
    const me = world.user('chw11');
    const other = world.user('chw12');
    const local = memoryPouch();
    const { remote, sent } = stockRemote(world, me);
    const errors: unknown[] = [];
    const live = PouchDB.replicate(remote, local, { live: true, retry: true });
    void live.on('error', (err) => errors.push(err));
    void live.on('paused', (err) => { if (err) errors.push(err); });
    const report = (): string => `(errors: ${JSON.stringify(errors.slice(-2))}; last requests: ${sent.slice(-3).map((r) => `${r.status} ${r.method} ${r.path}`).join(', ')})`;
    try {
      let expected = await visibleNow(world, me);
      const holdsAll = async (): Promise<boolean> => (await heldIds(local)).length === expected.size;
      await until(local, holdsAll, 'the initial live pull', report);
      await assertHoldsExactly(world, local, expected, 'chw11');

      // Written first: had the feed given it, it would come with or before the visible one.
      await world.admin.insert(reportBy(other, 'stock-live-invisible', { notes: 'not-for-chw11' }));
      await world.admin.insert(reportBy(me, 'stock-live-visible'));
      await until(local, async () => (await heldIds(local)).includes('stock-live-visible'), 'the visible write reaching the live client', report);
      assert.ok(!(await heldIds(local)).includes('stock-live-invisible'));

      const victim = await visibleDoc(world, me, 'data_record', new Set(['stock-live-visible']));
      const { _rev } = await world.admin.get(victim._id);
      await world.admin.destroy(victim._id, _rev);
      await until(local, async () => !(await heldIds(local)).includes(victim._id), 'the deletion reaching the live client', report);
      expected = await visibleNow(world, me);
      await assertHoldsExactly(world, local, expected, 'chw11');
    } finally {
      live.cancel();
    }
  });
});
