import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startExample } from '../../examples/browser/server.js';
import { launchChromium } from './chromium.js';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('the browser example in headless Chromium', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  after(async () => { await browser?.close(); });

  it('signs in, syncs into IndexedDB, shows contacts, tasks and targets, and keeps working with the server stopped', async () => {
    const example = await startExample();
    let stopped = false;
    try {
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 760, height: 900 } });
      await page.goto(example.appUrl);
      await page.click('#sign-in');
      await page.waitForFunction(() => document.getElementById('state')?.textContent === 'up-to-date', undefined, { timeout: 30_000 });
      await page.waitForFunction(() => (document.getElementById('contacts')?.children.length ?? 0) > 0);
      const summary = await page.textContent('#sync-summary');
      assert.match(summary ?? '', /^\d+ documents on this device/);
      assert.match(await page.textContent('#contact-count') ?? '', /^\d+ people on this device$/);
      assert.match(await page.textContent('#contacts li') ?? '', /· Household [\d.]+, Health Centre [\d.]+$/, 'contacts are hydrated');
      assert.match(await page.textContent('#targets') ?? '', /visits in \d{4}-\d{2}: \d+/);
      const progress = await page.$eval('#progress', (el) => [(el as HTMLProgressElement).value, (el as HTMLProgressElement).max]);
      assert.equal(progress[0], progress[1], 'the progress bar ends full');
      const shot = process.env['SCREENSHOT'] ? path.join(root, 'docs', 'img', 'browser-example.png') : path.join(tmpdir(), 'fieldsync-browser-example.png');
      mkdirSync(path.dirname(shot), { recursive: true });
      await page.screenshot({ path: shot, fullPage: true });

      // The server goes away; the page keeps working from IndexedDB.
      await example.close();
      stopped = true;
      const readyBefore = Number(await page.$eval('#tasks', (el) => (el as HTMLElement).dataset['ready']));
      const targetBefore = await page.textContent('#targets');
      assert.ok(readyBefore > 0, 'there are tasks to do');
      await page.click('#tasks button.visit');
      await page.waitForFunction(() => document.getElementById('state')?.textContent === 'offline', undefined, { timeout: 30_000 });
      await page.waitForFunction((before) => document.getElementById('targets')?.textContent !== before, targetBefore);
      assert.notEqual(await page.textContent('#targets'), targetBefore, 'the visit counts at once, offline');
    } finally {
      if (!stopped) await example.close();
    }
  });
});
