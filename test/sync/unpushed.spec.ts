import assert from 'node:assert/strict';
import type { LocalDatabase, LocalDoc } from '../../lib/sync/client/local.js';
import { pushFilter } from '../../lib/sync/client/push.js';
import { touch } from '../../lib/sync/client/removal.js';
import type { Touched } from '../../lib/sync/client/removal.js';
import { unpushedSince } from '../../lib/sync/client/unpushed.js';
import { memoryPouch } from '../support/pouch.js';

const pushes = pushFilter({ restored: {}, restoring: {} });
const HASH = { server: 'f'.repeat(32), other: 'e'.repeat(32), user: 'a'.repeat(32) };

/** Writes a revision as the pull does (its revision given, not made here). */
async function replicated(local: LocalDatabase, id: string, rev: string, body: Record<string, unknown> = {}): Promise<void> {
  const [start, hash] = rev.split('-') as [string, string];
  const doc: LocalDoc = { _id: id, _rev: rev, _revisions: { start: Number(start), ids: [hash] }, ...body };
  await local.bulkDocs([doc], { new_edits: false });
}

describe('which local writes a push may not have sent', () => {
  let local: LocalDatabase;
  let since: number | string;
  let touched: Touched;
  beforeEach(async () => {
    local = memoryPouch();
    await local.put({ _id: 'before', type: 'person' });
    since = (await local.info()).update_seq;
    touched = new Map();
  });

  it('finds a write of the user after the sequence the push covered, and says how far it read', async () => {
    assert.deepEqual(await unpushedSince(local, since, touched, pushes), { found: false, lastSeq: since });
    await local.put({ _id: 'visit', type: 'data_record' });
    const { found, lastSeq } = await unpushedSince(local, since, touched, pushes);
    assert.equal(found, true);
    assert.equal(lastSeq, (await local.info()).update_seq);
  });

  it('finds a deletion by the user', async () => {
    const { rev } = await local.put({ _id: 'visit', type: 'data_record' });
    const after = (await local.info()).update_seq;
    await local.put({ _id: 'visit', _rev: rev, _deleted: true });
    assert.equal((await unpushedSince(local, after, touched, pushes)).found, true);
  });

  it('counts none of the pull\'s own writes, nor what is never pushed', async () => {
    await replicated(local, 'downloaded', `1-${HASH.server}`, { type: 'person' });
    touch(touched, 'downloaded', `1-${HASH.server}`);
    const { rev } = await local.put({ _id: 'removed', type: 'person' });
    // A removal tombstone is never pushed, whoever wrote it.
    await local.put({ _id: 'removed', _rev: rev, _deleted: true, purged: true });
    touch(touched, 'removed', rev);
    await local.put({ _id: '_design/app', views: {} });
    assert.equal((await unpushedSince(local, since, touched, pushes)).found, false);
  });

  it('counts a document the pull purged as the pull\'s, whatever revision the device still lists', async () => {
    await local.put({ _id: 'purged', type: 'person' });
    touch(touched, 'purged', '');
    assert.equal((await unpushedSince(local, since, touched, pushes)).found, false);
  });

  it('finds the user\'s revision that lost to a downloaded one: still a leaf, still to push', async () => {
    await replicated(local, 'visit', `1-${HASH.user}`, { type: 'data_record', by: 'user' });
    await replicated(local, 'visit', `1-${HASH.server}`, { type: 'data_record', by: 'server' });
    touch(touched, 'visit', `1-${HASH.server}`);
    assert.equal((await local.get('visit'))['by'], 'server', 'the downloaded revision wins');
    assert.equal((await unpushedSince(local, since, touched, pushes)).found, true);
  });

  it('finds it beside conflicting leaves the pull downloaded too', async () => {
    await replicated(local, 'visit', `1-${HASH.user}`, { type: 'data_record' });
    await replicated(local, 'visit', `1-${HASH.other}`, { type: 'data_record' });
    await replicated(local, 'visit', `1-${HASH.server}`, { type: 'data_record' });
    touch(touched, 'visit', `1-${HASH.server}`);
    touch(touched, 'visit', `1-${HASH.other}`);
    assert.equal((await unpushedSince(local, since, touched, pushes)).found, true);
  });

  it('finds the user\'s deletion of a revision that lost: how a conflict is resolved, to push like any write', async () => {
    await replicated(local, 'visit', `1-${HASH.user}`, { type: 'data_record' });
    await replicated(local, 'visit', `1-${HASH.server}`, { type: 'data_record' });
    touch(touched, 'visit', `1-${HASH.server}`);
    touch(touched, 'visit', `1-${HASH.user}`);
    const after = (await local.info()).update_seq;
    await local.put({ _id: 'visit', _rev: `1-${HASH.user}`, _deleted: true });
    assert.equal((await unpushedSince(local, after, touched, pushes)).found, true);
  });
});
