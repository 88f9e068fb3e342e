import assert from 'node:assert/strict';
import { runCli } from './run.js';

describe('fieldsync demo (npm start)', function () {
  this.timeout(60_000);

  it('tells the whole flow through the gateway and exits 0', async () => {
    const run = await runCli(['demo']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    for (const step of ['1.', '2.', '3.', '4.', '5.', '6.', '7.', '8.', '9.', '10.']) assert.ok(lines.some((l) => l.startsWith(step)), `step ${step} printed`);
    const synced = lines.filter((l) => l.startsWith('3.'));
    assert.equal(synced.length, 3, 'two CHWs and a supervisor sync');
    for (const line of synced) {
      assert.match(line, /synced \[(\d+% )+100%\]:/, 'progress grows to 100 %');
      const [, held, allowed] = /: (\d+) docs on the device, exactly the (\d+) the rules allow/.exec(line) ?? [];
      assert.ok(held && held === allowed, line);
    }
    const step = (n: string): string => lines.find((l) => l.startsWith(`${n}. `)) ?? '';
    assert.match(step('4'), /the follow-up of .+ is Ready$/);
    assert.match(step('5'), /hydrated on the device: .+ of Household [\d.]+, Health Centre [\d.]+, by .+$/);
    assert.match(step('6'), /the visit resolves the task: Completed$/);
    assert.match(step('7'), /visits [1-9]\d*\/[1-9]\d*$/);
    assert.match(step('8'), /3 pushed \(visit, task, target\); \S+ pulled 2 and sees visits [1-9]\d* over 2 CHWs$/);
    assert.match(step('9'), /refused: forged-\d+: the document would not be visible/);
    assert.match(step('10'), /: [1-9]\d* docs left the device/);
    assert.match(lines.at(-1) ?? '', /^done/);
  });
});
