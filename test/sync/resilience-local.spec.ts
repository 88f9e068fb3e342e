import assert from 'node:assert/strict';
import { createSyncClient, SyncError, toSyncError } from '../../lib/sync/client/index.js';
import { memoryPouch } from '../support/pouch.js';
import { expectedIds, localIds } from './expected.js';
import { never, urlOf, withCalls } from './faults.js';
import { warmSyncWorld } from './world.js';
import type { SyncWorld } from './world.js';

/** Counts unhandled rejections while a test runs. */
function countUnhandled(): { readonly count: () => number; readonly stop: () => void } {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => { seen.push(reason); };
  process.on('unhandledRejection', listener);
  return { count: () => seen.length, stop: () => { process.off('unhandledRejection', listener); } };
}

/** Lets every rejection already made reach `unhandledRejection` (Node reports them after the microtasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

const isKind = (kind: string) => (err: unknown): boolean => err instanceof SyncError && err.kind === kind;

describe('sync with a failing local database', function () {
  this.timeout(15_000);
  let world: SyncWorld;
  let unhandled: ReturnType<typeof countUnhandled>;
  before(async function () {
    this.timeout(240_000);
    world = await warmSyncWorld();
  });
  after(async () => { await world.stop(); });
  beforeEach(() => { unhandled = countUnhandled(); });
  afterEach(() => { unhandled.stop(); });

  it('fails at once with kind local when the database is closed mid-pull; a reopen before close() ends fails within localTimeoutMs, one after it syncs completely', async () => {
    const me = world.user('chw11');
    const auth = { username: me.name, password: me.password };
    const name = `closed-mid-pull-${Date.now()}`;
    const raw = memoryPouch<Record<string, unknown>>(name);
    let closing: Promise<void> | undefined;
    // The first bulkDocs of the pull is in flight when the app closes the database: it never settles.
    const local = withCalls(raw, (call, original) => (call === 'bulkDocs' && !closing
      ? (...args) => { const writing = original(...args); closing = raw.close(); return writing; }
      : undefined));
    const client = createSyncClient({ local: local, url: world.url, auth, batchSize: 20 });
    await assert.rejects(client.sync(), isKind('local'));
    assert.equal(client.state, 'error');

    // PouchDB never opens a database reopened while its close is still waiting for that bulkDocs.
    const tooSoon = memoryPouch<Record<string, unknown>>(name);
    const stuck = createSyncClient({ local: tooSoon, url: world.url, auth, localTimeoutMs: 1_000 });
    await assert.rejects(stuck.sync(), (err: unknown) => isKind('local')(err) && /did not answer/.test((err as Error).message));

    await closing;
    const reopened = memoryPouch<Record<string, unknown>>(name);
    const result = await createSyncClient({ local: reopened, url: world.url, auth }).sync();
    assert.equal(result.state, 'up-to-date');
    assert.deepEqual([...await localIds(reopened)].sort(), [...expectedIds(world.data.medic, me)].sort());
    await settle();
    assert.equal(unhandled.count(), 0, 'no unhandled rejection');
  });

  it('live sync reports a database closed mid-pull as kind local, and stop() returns', async () => {
    const me = world.user('chw11');
    const raw = memoryPouch<Record<string, unknown>>();
    let armed = true;
    const local = withCalls(raw, (call, original) => (call === 'bulkDocs' && armed
      ? (...args) => { armed = false; const writing = original(...args); void raw.close(); return writing; }
      : undefined));
    const client = createSyncClient({ local: local, url: world.url, auth: { username: me.name, password: me.password }, batchSize: 20 });
    const failure = new Promise<SyncError>((resolve) => client.on('error', resolve));
    client.start();
    assert.equal((await failure).kind, 'local');
    await client.stop();
    await settle();
    assert.equal(unhandled.count(), 0, 'no unhandled rejection');
  });

  it('fails with kind local when a local call never settles, within localTimeoutMs', async () => {
    const me = world.user('chw11');
    const local = withCalls(memoryPouch<Record<string, unknown>>(), (call) => (call === 'bulkDocs' ? () => never() : undefined));
    const client = createSyncClient({ local: local, url: world.url, auth: { username: me.name, password: me.password }, localTimeoutMs: 1_000 });
    await assert.rejects(client.sync(), (err: unknown) => isKind('local')(err) && /did not answer/.test((err as Error).message));
    assert.equal(client.state, 'error');
  });

  it('never raises an unhandled rejection when the database is closed mid-push, and fails with kind local', async () => {
    const me = world.user('chw11');
    const auth = { username: me.name, password: me.password };
    const name = `closed-mid-push-${Date.now()}`;
    const raw = memoryPouch<Record<string, unknown>>(name);
    let closeOnPush = false;
    const client = createSyncClient({
      local: raw, url: world.url, auth, batchSize: 5,
      fetch: (input, init) => {
        if (closeOnPush && urlOf(input).includes('/_bulk_docs')) { closeOnPush = false; void raw.close(); }
        return fetch(input, init);
      },
    });
    await client.sync();
    const ids = Array.from({ length: 20 }, (_, i) => `mid-push-${i}`);
    for (const [i, _id] of ids.entries()) await raw.put({ _id, type: 'data_record', form: 'home_visit', reported_date: i, contact: { _id: me.contactId }, fields: {} });
    closeOnPush = true;
    await assert.rejects(client.sync(), isKind('local'));
    await settle();
    assert.equal(unhandled.count(), 0, 'no unhandled rejection');

    const reopened = memoryPouch<Record<string, unknown>>(name);
    assert.equal((await createSyncClient({ local: reopened, url: world.url, auth }).sync()).state, 'up-to-date');
    const { rows } = await world.admin.fetch({ keys: ids });
    assert.equal(rows.filter((row) => 'doc' in row && row.doc).length, ids.length, 'every write reaches the server after the reopen');
  });

  it('reports a full disk (ENOSPC) as quota-exceeded, not offline', async () => {
    const me = world.user('chw11');
    const full = Object.assign(new Error('IO error: /data/medic/000005.log: No space left on device'), { code: 'ENOSPC' });
    const local = withCalls(memoryPouch<Record<string, unknown>>(), (call) => (call === 'bulkDocs' ? () => Promise.reject(full) : undefined));
    const client = createSyncClient({ local: local, url: world.url, auth: { username: me.name, password: me.password } });
    await assert.rejects(client.sync(), isKind('quota-exceeded'));
    assert.equal(client.state, 'error');
  });

  it('reports a database closed before the sync as kind local, not offline', async () => {
    const me = world.user('chw11');
    const local = memoryPouch<Record<string, unknown>>();
    await local.close();
    const client = createSyncClient({ local, url: world.url, auth: { username: me.name, password: me.password } });
    await assert.rejects(client.sync(), isKind('local'));
    assert.equal(client.state, 'error');
  });
});

describe('error kinds', () => {
  it('classifies device storage failures apart from the network', () => {
    const cases: Array<[unknown, string]> = [
      [Object.assign(new Error('No space left on device'), { code: 'ENOSPC' }), 'quota-exceeded'],
      [{ name: 'Error', message: 'IO error: write: ENOSPC' }, 'quota-exceeded'],
      [{ status: 507, reason: 'no space left on device' }, 'server'],
      [Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' }), 'quota-exceeded'],
      [new Error('database is closed'), 'local'],
      [new Error('database is destroyed'), 'local'],
      [Object.assign(new Error('Database is not open'), { code: 'LEVEL_DATABASE_NOT_OPEN' }), 'local'],
      [Object.assign(new Error('The database connection is closing.'), { name: 'InvalidStateError' }), 'local'],
      [new TypeError('fetch failed'), 'offline'],
      [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), 'offline'],
    ];
    for (const [input, kind] of cases) assert.equal(toSyncError(input).kind, kind, String((input as Error).message));
  });
});
