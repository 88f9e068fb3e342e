import assert from 'node:assert/strict';
import { SyncError } from '../../lib/sync/client/index.js';
import { device, onServer, report } from './safety.js';
import { syncWorld } from './world.js';
import type { SyncWorld } from './world.js';

describe('no local write is lost, no download goes missing unnoticed', function () {
  this.timeout(60_000);
  let world: SyncWorld;
  beforeEach(async () => { world = await syncWorld(); });
  afterEach(async () => { await world.stop(); });

  it('pushes a write made while the push is in flight, even when the pull then downloads something', async () => {
    const me = world.user('chw11');
    const phone = device(world, me);
    await phone.client.sync();
    await phone.local.put(report(me, 'before-sync'));
    await world.admin.insert(report(me, 'from-the-server'));
    let injected = false;
    phone.beforeFetch = async (url) => {
      // The push has read its changes and is sending them: the user saves a visit right now.
      if (injected || !url.endsWith('/_bulk_docs')) return;
      injected = true;
      await phone.local.put(report(me, 'during-push'));
    };
    const first = await phone.client.sync();
    assert.ok(injected, 'the write was made during the push');
    assert.ok((await phone.local.get('from-the-server')), 'the pull downloaded something');
    assert.ok(first.state !== 'up-to-date' || await onServer(world, 'during-push'), 'up to date only with the write on the server');
    phone.beforeFetch = undefined;
    await phone.client.sync();
    assert.ok(await onServer(world, 'during-push'), 'the write reached the server');
    assert.ok(await onServer(world, 'before-sync'));
  });

  it('fails, naming them, when the local database refuses some downloaded documents, and stores them once it accepts', async () => {
    const me = world.user('chw11');
    const phone = device(world, me);
    await phone.client.sync();
    await world.admin.insert(report(me, 'refused-here'));
    await world.admin.insert(report(me, 'accepted-here'));
    // The local bulkDocs refuses one document with a per-document error instead of throwing.
    const real = phone.local.bulkDocs.bind(phone.local);
    let refuse = true;
    (phone.local as unknown as { bulkDocs: unknown }).bulkDocs = async (docs: Array<{ _id: string }>, options?: { new_edits?: boolean }) => {
      if (!refuse || options?.new_edits !== false || !Array.isArray(docs)) return real(docs as never, options as never);
      const results = await real(docs.filter((d) => d._id !== 'refused-here') as never, options as never);
      return docs.some((d) => d._id === 'refused-here')
        ? [...results, { id: 'refused-here', error: 'write_failed', reason: 'the store refused it', status: 500 }]
        : results;
    };
    const states: string[] = [];
    phone.client.on('state', (s) => states.push(s));
    await assert.rejects(phone.client.sync(), (err: unknown) => err instanceof SyncError && /refused-here/.test(err.message));
    assert.notEqual(phone.client.state, 'up-to-date');
    assert.ok(!states.includes('up-to-date'));
    assert.ok(await phone.local.get('accepted-here'), 'the rest is stored');
    refuse = false;
    const again = await phone.client.sync();
    assert.equal(again.state, 'up-to-date');
    assert.ok(await phone.local.get('refused-here'));
  });
});
