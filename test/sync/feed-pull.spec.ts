/**
 * The feed pull against a scripted gateway (the wire format of the design, pages keyed by cursor):
 * what the client does with each kind of entry, where it stores its cursor, and when it gives up on
 * the feed. The same behaviour against the real gateway: feed-sync.spec.ts.
 */
import assert from 'node:assert/strict';
import { feedPull } from '../../lib/sync/client/feed-pull.js';
import { loadCursor, loadInflight, markInflight, saveCursor } from '../../lib/sync/client/feed-cursor.js';
import type { LocalDatabase, LocalDoc } from '../../lib/sync/client/local.js';
import type { PullEvents } from '../../lib/sync/client/pull.js';
import type { Remote } from '../../lib/sync/client/remote.js';
import { SyncError } from '../../lib/sync/client/errors.js';
import type { FeedResponse, IdRev } from '../../lib/sync/protocol.js';
import { memoryPouch } from '../support/pouch.js';

const KEY = 'http://gateway/db\u0000u';

/** A gateway that answers scripted feed pages by `since`, serves `docs` by id and rev, and says `goneIds` are gone. */
function scripted(
  pages: Record<string, FeedResponse | 400>, docs: readonly LocalDoc[], goneIds: Record<string, 'deleted' | 'not-visible'> = {}, visibleNow: readonly LocalDoc[] = [],
) {
  const asked: { since: string[]; bulkGet: IdRev[][]; gone: IdRev[][]; about: string[][] } = { since: [], bulkGet: [], gone: [], about: [] };
  let failBulkGet: number | undefined;
  const remote: Remote = {
    url: 'http://gateway/db',
    fetch: globalThis.fetch,
    ids: () => Promise.reject(new Error('the feed pull never lists')),
    waitForChange: () => Promise.reject(new Error('unused')),
    digest: () => Promise.reject(new Error('unused')),
    feedOf(ids, since) {
      asked.about.push([...ids]);
      const results = since !== '0' ? [] : visibleNow.filter((d) => ids.includes(d._id)).map((d) => entry('v1', d._id, d._rev ?? ''));
      return Promise.resolve({ results, last_seq: 'v1', pending: 0 });
    },
    feed(since) {
      asked.since.push(since);
      const page = pages[since];
      if (page === 400) return Promise.reject(new SyncError('server', 'since is not a cursor this gateway gave', 400));
      return Promise.resolve(page ?? { results: [], last_seq: since, pending: 0 });
    },
    bulkGet(wanted) {
      asked.bulkGet.push([...wanted]);
      if (failBulkGet !== undefined && asked.bulkGet.length === failBulkGet) return Promise.reject(new SyncError('offline', 'killed'));
      return Promise.resolve({ docs: wanted.map((w) => docs.find((d) => d._id === w.id && d._rev === w.rev)).filter((d): d is LocalDoc => d !== undefined), failed: [] });
    },
    gone(held) {
      asked.gone.push([...held]);
      return Promise.resolve({ rows: held.flatMap((h) => (goneIds[h.id] ? [{ id: h.id, reason: goneIds[h.id] ?? 'not-visible' }] : [])), unknown: [] });
    },
  };
  return { remote, asked, failOnBulkGet: (n: number) => { failBulkGet = n; } };
}

function recorder() {
  const seen = { progress: [] as Array<[number, number]>, removed: [] as string[], conflicts: [] as string[] };
  const events: PullEvents = {
    progress: (done, total) => seen.progress.push([done, total]),
    removed: (id) => seen.removed.push(id),
    conflict: (id) => seen.conflicts.push(id),
    quarantined: () => undefined,
    warning: () => undefined,
  };
  return { seen, events };
}

const doc = (id: string, rev: string, extra: Record<string, unknown> = {}): LocalDoc => ({
  _id: id, _rev: rev, _revisions: { start: Number.parseInt(rev, 10), ids: [rev.split('-')[1] ?? ''] }, ...extra,
});
function entry(seq: string, id: string, ...revs: string[]): { seq: string; id: string; changes: Array<{ rev: string }> } {
  return { seq, id, changes: revs.map((rev) => ({ rev })) };
}
const serverHasAll = (): Promise<Record<string, { missing?: string[] }>> => Promise.resolve({});

describe('the feed pull (scripted gateway)', () => {
  it('downloads exactly the listed revisions it lacks and stores the cursor of each page after its documents', async () => {
    const local = memoryPouch() as unknown as LocalDatabase;
    await local.bulkDocs([doc('a', '1-a')], { new_edits: false });
    const { remote, asked } = scripted({
      c0: { results: [entry('c1', 'a', '1-a'), entry('c2', 'b', '1-b')], last_seq: 'c2', pending: 1 },
      // A gateway may count more as pending than it then tells: the pull reads on until an empty page.
      c2: { results: [entry('c3', 'c', '1-c')], last_seq: 'c3', pending: 1 },
    }, [doc('a', '1-a'), doc('b', '1-b'), doc('c', '1-c')]);
    const { seen, events } = recorder();
    const outcome = await feedPull(local, remote, serverHasAll, { cursor: 'c0', key: KEY }, { batchSize: 10 }, events);
    assert.equal(outcome.kind, 'done');
    assert.deepEqual(asked.since, ['c0', 'c2', 'c3'], 'paged until an empty page');
    assert.deepEqual(asked.bulkGet.flat().map((w) => w.id), ['b', 'c'], 'only what the device lacks');
    assert.equal(await loadCursor(local, KEY), 'c3');
    assert.deepEqual((await local.allDocs({})).rows.map((r) => r.id), ['a', 'b', 'c']);
    seen.progress.forEach(([done], i) => assert.ok(i === 0 || done >= (seen.progress[i - 1]?.[0] ?? 0), 'progress only grows'));
    const [done, total] = seen.progress.at(-1) ?? [];
    assert.equal(done, total, 'and ends at 100 %');
    assert.equal(done, 2);
  });

  it('stops after a page that says nothing is pending, without reading the empty page after it', async () => {
    const local = memoryPouch() as unknown as LocalDatabase;
    const { remote, asked } = scripted({
      c0: { results: [entry('c1', 'a', '1-a')], last_seq: 'c1', pending: 1 },
      c1: { results: [entry('c2', 'b', '1-b')], last_seq: 'c2', pending: 0 },
    }, [doc('a', '1-a'), doc('b', '1-b')]);
    const outcome = await feedPull(local, remote, serverHasAll, { cursor: 'c0', key: KEY }, { batchSize: 1 }, recorder().events);
    assert.equal(outcome.kind, 'done');
    assert.deepEqual(asked.since, ['c0', 'c1']);
    assert.equal(await loadCursor(local, KEY), 'c2');
    assert.deepEqual((await local.allDocs({})).rows.map((r) => r.id), ['a', 'b']);
  });

  it('a pull killed mid-page resumes from the last stored cursor and writes every document exactly once', async () => {
    const local = memoryPouch() as unknown as LocalDatabase;
    const docs = ['a', 'b', 'c', 'd'].map((id) => doc(id, `1-${id}`));
    const pages = {
      c0: { results: [entry('c1', 'a', '1-a'), entry('c2', 'b', '1-b')], last_seq: 'c2', pending: 2 },
      c2: { results: [entry('c3', 'c', '1-c'), entry('c4', 'd', '1-d')], last_seq: 'c4', pending: 0 },
    };
    const first = scripted(pages, docs);
    first.failOnBulkGet(3);
    await assert.rejects(feedPull(local, first.remote, serverHasAll, { cursor: 'c0', key: KEY }, { batchSize: 1 }, recorder().events));
    assert.equal(await loadCursor(local, KEY), 'c2', 'the first page is confirmed, the second is not');
    const again = scripted(pages, docs);
    const outcome = await feedPull(local, again.remote, serverHasAll, { cursor: 'c2', key: KEY }, { batchSize: 1 }, recorder().events);
    assert.equal(outcome.kind, 'done');
    assert.deepEqual(again.asked.since[0], 'c2');
    assert.deepEqual((await local.allDocs({})).rows.map((r) => r.id), ['a', 'b', 'c', 'd']);
    assert.equal(Number((await local.info()).update_seq), 4, 'one write per document');
  });

  it('asks gone about exactly the removed and deleted documents the device holds, and removes them', async () => {
    const local = memoryPouch() as unknown as LocalDatabase;
    await local.bulkDocs([doc('a', '1-a'), doc('b', '1-b'), doc('keep', '1-k')], { new_edits: false });
    const { remote, asked } = scripted({
      c0: {
        results: [{ seq: 'c1', id: 'a', changes: [], removed: true }, { seq: 'c2', id: 'b', changes: [{ rev: '2-b' }], deleted: true },
          { seq: 'c3', id: 'never-here', changes: [], removed: true }],
        last_seq: 'c3', pending: 0,
      },
    }, [], { a: 'not-visible', b: 'deleted' });
    const { seen, events } = recorder();
    const outcome = await feedPull(local, remote, serverHasAll, { cursor: 'c0', key: KEY }, { batchSize: 10 }, events);
    assert.equal(outcome.kind, 'done');
    assert.deepEqual(asked.gone.flat(), [{ id: 'a', rev: '1-a' }, { id: 'b', rev: '1-b' }]);
    assert.deepEqual(seen.removed.sort(), ['a', 'b']);
    assert.deepEqual((await local.allDocs({})).rows.map((r) => r.id), ['keep']);
    assert.equal(asked.bulkGet.length, 0);
  });

  it('downloads a conflicting leaf listed by style=all_docs and reports the conflict', async () => {
    const local = memoryPouch() as unknown as LocalDatabase;
    await local.bulkDocs([doc('a', '2-x')], { new_edits: false });
    const { remote } = scripted({ c0: { results: [entry('c1', 'a', '2-x', '2-y')], last_seq: 'c1', pending: 0 } }, [doc('a', '2-y')]);
    const { seen, events } = recorder();
    await feedPull(local, remote, serverHasAll, { cursor: 'c0', key: KEY }, { batchSize: 10 }, events);
    assert.deepEqual(seen.conflicts, ['a']);
  });

  it('gives up on the feed when the cursor is refused (400) or the answer asks for verification, keeping what it wrote', async () => {
    const local = memoryPouch() as unknown as LocalDatabase;
    await saveCursor(local, KEY, 'c0');
    const refused = await feedPull(local, scripted({ c0: 400 }, []).remote, serverHasAll, { cursor: 'c0', key: KEY }, { batchSize: 10 }, recorder().events);
    assert.deepEqual([refused.kind, refused.kind === 'recover' ? refused.reason : ''], ['recover', 'refused']);
    const flagged = scripted({
      c0: { results: [entry('c1', 'a', '1-a')], last_seq: 'c1', pending: 1 },
      c1: { results: [entry('c2', 'b', '1-b')], last_seq: 'c2', pending: 0, fieldsync_verify: true },
    }, [doc('a', '1-a'), doc('b', '1-b')]);
    const verify = await feedPull(local, flagged.remote, serverHasAll, { cursor: 'c0', key: KEY }, { batchSize: 10 }, recorder().events);
    assert.deepEqual([verify.kind, verify.kind === 'recover' ? verify.reason : ''], ['recover', 'verify']);
    assert.deepEqual((await local.allDocs({})).rows.map((r) => r.id), ['a'], 'the flagged page is not applied');
    assert.equal(await loadCursor(local, KEY), 'c1');
  });

  it('after a page cut short, asks the server about exactly its documents first, so one removed there comes back when visible again', async () => {
    const local = memoryPouch() as unknown as LocalDatabase;
    await local.bulkDocs([doc('a', '1-a'), doc('b', '1-b'), doc('c', '1-c')], { new_edits: false });
    // What a sync cut short mid-page leaves: the page's ids in flight, one of them already removed.
    await saveCursor(local, KEY, 'c0');
    await markInflight(local, KEY, ['a', 'b']);
    await local.put({ _id: 'a', _rev: '1-a', _deleted: true, purged: true });
    // Access moved back meanwhile: read again, the page no longer names them.
    const { remote, asked } = scripted({}, [doc('a', '1-a')], {}, [doc('a', '1-a'), doc('b', '1-b')]);
    const outcome = await feedPull(local, remote, serverHasAll, { cursor: 'c0', key: KEY }, { batchSize: 10 }, recorder().events);
    assert.equal(outcome.kind, 'done');
    assert.deepEqual([...new Set(asked.about.flat())].sort(), ['a', 'b']);
    assert.deepEqual((await local.allDocs({})).rows.map((r) => r.id), ['a', 'b', 'c'], 'the removed document is back');
    assert.deepEqual(await loadInflight(local, KEY), [], 'and nothing is in flight any more');
    assert.equal(await loadCursor(local, KEY), 'c0');
  });
});
