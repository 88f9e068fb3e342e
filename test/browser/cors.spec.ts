/**
 * A page on another origin than the gateway (a Vite dev server, a Capacitor webview) syncs when the
 * gateway lists its origin in `cors.origins`; a page on an origin not listed gets an error naming CORS.
 */
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

type PageOutcome = PageSyncResult | { readonly failed: { readonly kind: string; readonly message: string } };

describe('sync in headless Chromium from a second origin (CORS)', function () {
  this.timeout(120_000);
  let world: SyncWorld;
  let pages: Server;
  let browser: Browser;
  let port: number;

  before(async () => {
    const bundle = await build({
      entryPoints: [path.join(root, 'test', 'browser', 'app.ts')],
      bundle: true, platform: 'browser', format: 'iife', write: false, logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]?.text ?? '';
    // The page's own server, on another port than the gateway: another origin.
    pages = createServer((req, res) => {
      if (req.url === '/app.js') { res.writeHead(200, { 'content-type': 'text/javascript' }); res.end(script); return; }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><script src="/app.js"></script>');
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    port = (pages.address() as { port: number }).port;
    world = await syncWorld({ cors: { origins: [`http://127.0.0.1:${port}`], credentials: true } });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => pages?.close(() => resolve()));
    await world?.stop();
  });

  async function syncFrom(origin: string, username: string, password: string): Promise<PageOutcome> {
    const page: Page = await browser.newPage();
    try {
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => 'fieldsyncPage' in globalThis);
      return await page.evaluate(async ([u, n, p]) => {
        const api = (globalThis as unknown as { fieldsyncPage: { syncOnce(u: string, n: string, p: string, d: string): Promise<PageSyncResult> } }).fieldsyncPage;
        try {
          return await api.syncOnce(u, n, p, `device-${n}-${location.host}`);
        } catch (err) {
          const e = err as { kind?: string; message?: string };
          return { failed: { kind: String(e.kind), message: String(e.message) } };
        }
      }, [world.url, username, password] as const);
    } finally {
      await page.close();
    }
  }

  it('a page on an allowed origin syncs exactly the allowed docs through the preflighted gateway', async () => {
    const me = world.user('chw11');
    const outcome = await syncFrom(`http://127.0.0.1:${port}`, me.name, me.password);
    assert.ok(!('failed' in outcome), `the sync failed: ${JSON.stringify(outcome)}`);
    assert.equal(outcome.state, 'up-to-date');
    assert.deepEqual([...outcome.ids].sort(), [...expectedIds(world.data.medic, me)].sort());
  });

  it('a page on an origin not allowed fails with an error that names CORS as a possible cause', async () => {
    const me = world.user('chw11');
    // localhost and 127.0.0.1 are two origins for the browser, though the same server.
    const outcome = await syncFrom(`http://localhost:${port}`, me.name, me.password);
    assert.ok('failed' in outcome, 'the sync must fail');
    assert.equal(outcome.failed.kind, 'offline');
    assert.match(outcome.failed.message, /CORS/);
    assert.match(outcome.failed.message, /cors\.origins/);
  });
});
