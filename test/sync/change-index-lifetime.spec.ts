import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

describe('change index: its process lives only as long as something else needs it', function () {
  this.timeout(60_000);
  it('lets its process exit once the database it follows has gone, though nobody closed the index', () => {
    const script = path.join(import.meta.dirname, 'fixtures', 'abandoned-change-index.ts');
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
    assert.match(run.stdout, /server closed, index left open/, run.stderr);
    assert.equal(run.signal, null, 'the process was still alive after 30 s: the index kept it running');
    assert.equal(run.status, 0, run.stderr);
  });
});
