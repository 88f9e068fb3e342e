/** Headless Debian Chromium through playwright-core, with the flags CI machines need. */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Launches Chromium (`CHROMIUM_PATH`, default Debian's `/usr/bin/chromium`); the caller closes it. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: the browser tests need one (Debian: apt-get install chromium), `
      + 'or set CHROMIUM_PATH to a Chromium or Chrome executable, e.g. CHROMIUM_PATH=/opt/google/chrome/chrome npm test');
  }
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
