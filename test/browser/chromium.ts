/** Headless Debian Chromium through playwright-core, with the flags CI machines need. */
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Launches Chromium; the caller closes it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
