import assert from 'node:assert/strict';
import { runCli } from './run.js';

describe('fieldsync demo (npm start)', function () {
  this.timeout(60_000);

  it('tells the whole flow through the gateway and exits 0', async () => {
    const run = await runCli(['demo']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    for (const step of ['1.', '2.', '3.', '4.', '5.', '6.']) assert.ok(lines.some((l) => l.startsWith(step)), `step ${step} printed`);
    const synced = lines.filter((l) => l.startsWith('3.'));
    assert.equal(synced.length, 3, 'two CHWs and a supervisor sync');
    for (const line of synced) {
      const [, held, allowed] = /: (\d+) docs on the device, exactly the (\d+) the rules allow/.exec(line) ?? [];
      assert.ok(held && held === allowed, line);
    }
    assert.match(lines.find((l) => l.startsWith('4.')) ?? '', /1 pushed; \S+ pulled 1 new doc/);
    assert.match(lines.find((l) => l.startsWith('5.')) ?? '', /refused: forged-\d+: the document would not be visible/);
    assert.match(lines.find((l) => l.startsWith('6.')) ?? '', /: [1-9]\d* docs left the device/);
    assert.match(lines.at(-1) ?? '', /^done/);
  });
});
