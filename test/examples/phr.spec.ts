import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('examples/phr: offline cart to order', function () {
  this.timeout(60_000);
  it('runs with one command and ends with the confirmed order on the phone', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'examples', 'phr', 'cart-to-order.ts')], { cwd: root, encoding: 'utf8', timeout: 50_000, killSignal: 'SIGKILL' });
    // An example that does not exit (a timer or socket left open) fails here instead of stalling the suite.
    assert.equal(run.status, 0, `${run.error?.message ?? ''}\n${run.stderr}`);
    assert.match(run.stdout, /2\. the phone synced 2 documents: 2 lab-test prices, 0 keys/);
    assert.match(run.stdout, /4\. back online: 1 document pushed/);
    assert.match(run.stdout, /6\. on the phone: order neworders:\S+ is confirmed/);
  });
});
