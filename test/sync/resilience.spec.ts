import assert from 'node:assert/strict';
import { createSyncClient, SyncError } from '../../lib/sync/client/index.js';
import type { SyncState } from '../../lib/sync/client/index.js';
import { memoryPouch } from '../support/pouch.js';
import { expectedIds, localIds } from './expected.js';
import { syncWorld } from './world.js';
import type { SyncWorld } from './world.js';

async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('sync through failures', function () {
  this.timeout(120_000);

  describe('a server killed mid-pull', () => {
    let world: SyncWorld;
    before(async () => { world = await syncWorld({ size: 'medium' }); });
    after(async () => { await world.stop(); });

    it('finishes after 10 kills with every doc written exactly once', async () => {
      const me = world.user('supervisor1');
      const expected = expectedIds(world.data.medic, me);
      const local = memoryPouch();
      const client = createSyncClient({ local, url: world.url, auth: { username: me.name, password: me.password }, batchSize: 40 });
      // Kill after every fifth batch that arrives, across attempts, until 10 kills.
      let batchesSeen = 0;
      let kills = 0;
      let reviving: Promise<void> = Promise.resolve();
      client.on('progress', ({ done }) => {
        if (done === 0) return;
        batchesSeen += 1;
        if (kills >= 10 || batchesSeen % 5 !== 0) return;
        kills += 1;
        reviving = world.kill().then(() => new Promise((resolve) => setTimeout(resolve, 30))).then(() => world.revive());
      });
      let failures = 0;
      for (let attempt = 0; ; attempt += 1) {
        assert.ok(attempt < 40, 'the sync finishes');
        try {
          await client.sync();
          break;
        } catch (err) {
          assert.ok(err instanceof SyncError && err.kind === 'offline', `a kill shows as offline, got ${String(err)}`);
          failures += 1;
          await reviving;
        }
      }
      assert.equal(kills, 10);
      assert.ok(failures >= 10);
      assert.deepEqual([...await localIds(local)].sort(), [...expected].sort());
      // Every local write bumps update_seq: exactly one write per document means none was fetched twice.
      assert.equal(Number((await local.info()).update_seq), expected.size);
    });
  });

  describe('limits', () => {
    let world: SyncWorld;
    let limit: number;
    before(async () => {
      const probe = await syncWorld();
      limit = expectedIds(probe.data.medic, probe.user('chw11')).size;
      await probe.stop();
      world = await syncWorld({ maxDocs: limit });
    });
    after(async () => { await world.stop(); });

    it('syncs a user at exactly the doc limit and refuses one above it before any download', async () => {
      const chw = world.user('chw11');
      const atLimit = memoryPouch();
      await createSyncClient({ local: atLimit, url: world.url, auth: { username: chw.name, password: chw.password } }).sync();
      assert.equal((await localIds(atLimit)).size, limit);

      const supervisor = world.user('supervisor1');
      const over = memoryPouch();
      const client = createSyncClient({ local: over, url: world.url, auth: { username: supervisor.name, password: supervisor.password } });
      await assert.rejects(client.sync(), (err: unknown) => err instanceof SyncError && err.kind === 'too-many-docs' && (err.count ?? 0) > limit);
      assert.equal((await localIds(over)).size, 0, 'nothing was downloaded');
      assert.equal(client.state, 'error');
    });
  });

  describe('a server restored from an older backup', () => {
    it('gets back every document it lost on the next sync, though nothing changed on the device', async () => {
      const world = await syncWorld();
      try {
        const me = world.user('chw11');
        const local = memoryPouch<Record<string, unknown>>();
        const client = createSyncClient({ local, url: world.url, auth: { username: me.name, password: me.password } });
        await client.sync();
        const backup = (await world.admin.list({ include_docs: true, attachments: true } as never)).rows.flatMap((r) => (r.doc && !r.id.startsWith('_design/') ? [r.doc] : []));
        for (let i = 0; i < 3; i += 1) {
          await local.put({ _id: `after-backup-${i}`, type: 'data_record', form: 'home_visit', reported_date: 9, contact: { _id: me.contactId }, fields: {} });
        }
        assert.equal((await client.sync()).push.written, 3);

        // Restore: the database comes back as it was at the backup, without the three reports.
        const nano = (await import('nano')).default(world.couch.adminUrl);
        await nano.db.destroy(world.db);
        await nano.db.create(world.db);
        await nano.request({ db: world.db, method: 'POST', path: '_bulk_docs', body: { docs: backup, new_edits: false } });
        await world.gateway.install();
        const lost = await world.admin.fetch({ keys: ['after-backup-0'] });
        assert.ok(!lost.rows.some((r) => 'doc' in r && r.doc), 'the restored server lacks them');

        const result = await client.sync();
        assert.equal(result.push.written, 3, 'every lost document is uploaded again');
        const back = await world.admin.fetch({ keys: ['after-backup-0', 'after-backup-1', 'after-backup-2'] });
        assert.equal(back.rows.filter((r) => 'doc' in r && r.doc).length, 3);
        assert.equal((await client.sync()).push.written, 0, 'and only once');
      } finally {
        await world.stop();
      }
    });
  });

  describe('warnings', () => {
    it('warns a user who may see more documents than the threshold, and still syncs', async () => {
      const world = await syncWorld({ warnDocs: 10 });
      try {
        const me = world.user('chw11');
        const client = createSyncClient({ local: memoryPouch(), url: world.url, auth: { username: me.name, password: me.password } });
        const warnings: string[] = [];
        client.on('warning', (w) => warnings.push(w));
        const result = await client.sync();
        assert.equal(warnings.length, 1);
        assert.match(warnings[0] ?? '', new RegExp(`may see ${result.pull.listed} documents, more than 10`));
        assert.equal(result.state, 'up-to-date');
      } finally {
        await world.stop();
      }
    });
  });

  describe('live sync', () => {
    let world: SyncWorld;
    before(async () => { world = await syncWorld(); });
    after(async () => { await world.stop(); });

    it('live, with the default back-off and timeouts: server changes reach the device, device writes reach the server, and it resumes within 30 s of an outage ending', async () => {
      const me = world.user('chw11');
      const local = memoryPouch<Record<string, unknown>>();
      // The defaults, with the longest jitter: each retry comes as late as the defaults allow.
      const client = createSyncClient({ local, url: world.url, auth: { username: me.name, password: me.password }, random: () => 0.999_999 });
      const states: SyncState[] = [];
      client.on('state', (s) => states.push(s));
      let errors = 0;
      client.on('error', () => { errors += 1; });
      client.start();
      try {
        await eventually(() => client.state === 'up-to-date', 'the first sync is done');
        await world.admin.insert({ _id: 'from-server', type: 'data_record', form: 'home_visit', reported_date: 5, contact: { _id: me.contactId }, fields: {} });
        await eventually(async () => (await localIds(local)).has('from-server'), 'a server write reaches the device');
        await local.put({ _id: 'from-device', type: 'data_record', form: 'home_visit', reported_date: 6, contact: { _id: me.contactId }, fields: {} });
        await eventually(async () => (await world.admin.fetch({ keys: ['from-device'] })).rows.some((r) => 'doc' in r && r.doc), 'a device write reaches the server');

        await world.kill();
        await local.put({ _id: 'while-offline', type: 'data_record', form: 'home_visit', reported_date: 7, contact: { _id: me.contactId }, fields: {} });
        // Three failed attempts: the back-off has grown past its first step when the network returns.
        await eventually(() => client.state === 'offline' && errors >= 3, 'the client fails three times during the outage', 30_000);
        await world.revive();
        const back = Date.now();
        await eventually(async () => (await world.admin.fetch({ keys: ['while-offline'] })).rows.some((r) => 'doc' in r && r.doc), 'sync resumes by itself within 30 s', 30_000);
        assert.ok(Date.now() - back <= 30_000, 'within 30 s of the network coming back');
      } finally {
        await client.stop();
      }
      assert.ok(states.includes('syncing') && states.includes('offline'));
    });
  });
});
