import assert from 'node:assert/strict';
import { createSyncClient, SyncError } from '../../lib/sync/client/index.js';
import { memoryPouch } from '../support/pouch.js';
import { blackHole, holeFetch } from './faults.js';
import type { BlackHole } from './faults.js';
import { warmSyncWorld } from './world.js';
import type { SyncWorld } from './world.js';

const offline = (err: unknown): boolean => err instanceof SyncError && err.kind === 'offline';

describe('sync over a network that accepts and never answers', function () {
  this.timeout(15_000);
  let world: SyncWorld;
  let hole: BlackHole;
  before(async function () {
    this.timeout(240_000);
    world = await warmSyncWorld();
    hole = await blackHole();
  });
  after(async () => { await hole.close(); await world.stop(); });

  it('fails as offline within requestTimeoutMs when the server never answers', async () => {
    const client = createSyncClient({ local: memoryPouch(), url: `${hole.url}/medic`, auth: { username: 'u', password: 'p' }, requestTimeoutMs: 300 });
    await assert.rejects(client.sync(), (err: unknown) => offline(err) && /within 300 ms/.test((err as Error).message));
    assert.equal(client.state, 'offline');
  });

  it('bounds the push requests too (PouchDB over the client fetch), and the write goes up on the next sync', async () => {
    const me = world.user('chw11');
    const auth = { username: me.name, password: me.password };
    const local = memoryPouch<Record<string, unknown>>();
    let holed = false;
    // Requests that do answer stay well within the bound even on a loaded machine.
    const client = createSyncClient({ local, url: world.url, auth, requestTimeoutMs: 3_000, fetch: holeFetch(hole, (url) => holed && url.includes('/_bulk_docs')) });
    await client.sync();
    await local.put({ _id: 'held-up', type: 'data_record', form: 'home_visit', reported_date: 1, contact: { _id: me.contactId }, fields: {} });
    holed = true;
    await assert.rejects(client.sync(), offline);
    assert.equal(client.state, 'offline');
    holed = false;
    assert.equal((await client.sync()).state, 'up-to-date');
    const { rows } = await world.admin.fetch({ keys: ['held-up'] });
    assert.ok(rows.some((row) => 'doc' in row && row.doc), 'the write reached the server');
  });

  it('live: a changes wait that never answers is bounded, reported as offline and retried', async () => {
    const me = world.user('chw11');
    let holed = false;
    const client = createSyncClient({
      local: memoryPouch(), url: world.url, auth: { username: me.name, password: me.password },
      liveWaitMs: 200, requestTimeoutMs: 3_000, backOff: { initialMs: 50, maxMs: 50, jitter: 0 },
      // The live wait: a long poll on the feed (or on `_fieldsync/changes` where the gateway has no feed).
      fetch: holeFetch(hole, (url) => holed && (url.includes('/_fieldsync/changes') || (url.includes('/_changes?') && url.includes('feed=longpoll')))),
    });
    const errors: SyncError[] = [];
    let syncsAfterError = 0;
    const retried = new Promise<void>((resolve) => client.on('state', (state) => {
      if (state === 'syncing' && errors.length > 0 && ++syncsAfterError === 1) resolve();
    }));
    client.on('error', (err) => errors.push(err));
    const upToDate = new Promise<void>((resolve) => client.on('state', (state) => { if (state === 'up-to-date') resolve(); }));
    client.start();
    try {
      await upToDate;
      holed = true;
      await retried;
      assert.ok(errors.length >= 1 && errors.every((err) => err.kind === 'offline'), 'the stalled wait is an offline error');
    } finally {
      await client.stop();
    }
  });
});
