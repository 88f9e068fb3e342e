import assert from 'node:assert/strict';
import { launchChromium } from './chromium.js';

describe('the browser tests\' Chromium', () => {
  it('names the prerequisite and CHROMIUM_PATH when no Chromium is found', async () => {
    const before = process.env['CHROMIUM_PATH'];
    process.env['CHROMIUM_PATH'] = '/nonexistent/chromium';
    try {
      await assert.rejects(launchChromium(), /no Chromium at \/nonexistent\/chromium.*apt-get install chromium.*CHROMIUM_PATH/s);
    } finally {
      if (before === undefined) delete process.env['CHROMIUM_PATH'];
      else process.env['CHROMIUM_PATH'] = before;
    }
  });
});
