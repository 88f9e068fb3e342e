import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { expectedIds } from '../sync/expected.js';
import { syncWorld } from '../sync/world.js';
import type { SyncWorld } from '../sync/world.js';
import type { PageSyncResult } from './app.js';
import { launchChromium } from './chromium.js';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('sync in headless Chromium (indexeddb adapter)', function () {
  this.timeout(120_000);
  let world: SyncWorld;
  let server: Server;
  let browser: Browser;
  let page: Page;
  let origin: string;

  before(async () => {
    world = await syncWorld();
    const bundle = await build({
      entryPoints: [path.join(root, 'test', 'browser', 'app.ts')],
      bundle: true, platform: 'browser', format: 'iife', write: false, logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]?.text ?? '';
    // Page, bundle and gateway share one origin, as an app served next to its gateway would.
    server = createServer((req, res) => {
      if (req.url === '/') { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<!doctype html><script src="/app.js"></script>'); return; }
      if (req.url === '/app.js') { res.writeHead(200, { 'content-type': 'text/javascript' }); res.end(script); return; }
      world.gateway(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'fieldsyncPage' in globalThis);
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await world?.stop();
  });

  function syncInPage(username: string, password: string): Promise<PageSyncResult> {
    const url = `${origin}/${encodeURIComponent(world.db)}`;
    return page.evaluate(
      ([u, n, p]) => (globalThis as unknown as { fieldsyncPage: { syncOnce(u: string, n: string, p: string, d: string): Promise<PageSyncResult> } })
        .fieldsyncPage.syncOnce(u, n, p, `device-${n}`),
      [url, username, password] as const,
    );
  }

  async function moveUser(name: string, facilityId: string): Promise<void> {
    const settings = await world.admin.get(`org.couchdb.user:${name}`);
    await world.admin.insert({ ...settings, facility_id: facilityId });
  }

  it('pulls exactly the allowed docs, purges them on revoke and brings them back on re-grant', async () => {
    const me = world.user('chw11');
    const mine = expectedIds(world.data.medic, me);
    const first = await syncInPage(me.name, me.password);
    assert.equal(first.adapter, 'indexeddb');
    assert.equal(first.storage.length, 1, 'asks the browser once to keep the storage');
    assert.equal(typeof first.storage[0]?.persisted, 'boolean');
    assert.equal(first.state, 'up-to-date');
    assert.deepEqual([...first.ids].sort(), [...mine].sort());

    const elsewhere = world.user('chw12').facilityId;
    await moveUser(me.name, elsewhere);
    const moved = await syncInPage(me.name, me.password);
    const theirs = expectedIds(world.data.medic, me, elsewhere);
    assert.deepEqual([...moved.ids].sort(), [...theirs].sort());
    const lost = [...mine].filter((id) => !theirs.has(id));
    assert.deepEqual(moved.removed.map((r) => r.id).sort(), lost.sort());
    assert.ok(moved.removed.every((r) => r.how === 'purged'), 'the indexeddb adapter purges');

    await moveUser(me.name, me.facilityId);
    const back = await syncInPage(me.name, me.password);
    assert.deepEqual([...back.ids].sort(), [...mine].sort());
    assert.equal(back.written, 0, 'nothing removed or restored is pushed');
  });

  it('access changes reach the device through the changes feed: the gained added, the lost purged, no list', async () => {
    const me = world.user('chw12');
    const mine = expectedIds(world.data.medic, me);
    const first = await syncInPage(me.name, me.password);
    assert.equal(first.via, 'list');
    assert.deepEqual([...first.ids].sort(), [...mine].sort());
    const lists = (): number => world.log.filter((e) => e.user === me.name && e.endpoint === 'GET _fieldsync/ids').length;
    const listsBefore = lists();

    const elsewhere = world.user('chw11').facilityId;
    await moveUser(me.name, elsewhere);
    const moved = await syncInPage(me.name, me.password);
    const theirs = expectedIds(world.data.medic, me, elsewhere);
    assert.equal(moved.via, 'feed');
    assert.deepEqual([...moved.ids].sort(), [...theirs].sort(), 'exactly the new set');
    assert.deepEqual(moved.removed.map((r) => r.id).sort(), [...mine].filter((id) => !theirs.has(id)).sort());
    assert.ok(moved.removed.every((r) => r.how === 'purged'));

    await moveUser(me.name, me.facilityId);
    const back = await syncInPage(me.name, me.password);
    assert.equal(back.via, 'feed');
    assert.deepEqual([...back.ids].sort(), [...mine].sort());
    assert.equal(lists(), listsBefore, 'no pull list after the first sync');
  });
});
