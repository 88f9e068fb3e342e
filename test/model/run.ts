/**
 * Long runs of the model-based test: `npm run test:model -- --runs 2000 [--seed 42] [--commands 20]
 * [--path <path> --replay <replayPath>] [--only a,b | --without a,b] [--tolerate removalBuriesPending]`. Every command class is on unless narrowed; a
 * failure prints the shrunk command sequence with the seed and path that replay it.
 */
import { parseArgs } from 'node:util';
import { ALL_CLASSES } from './commands.js';
import type { ModelOptions } from './commands.js';
import { runModel } from './property.js';
import { stopTestCouch } from '../support/server.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    seed: { type: 'string' },
    path: { type: 'string' },
    replay: { type: 'string' },
    commands: { type: 'string', default: '16' },
    only: { type: 'string' },
    without: { type: 'string' },
    tolerate: { type: 'string' },
  },
});

const classes = Object.keys(ALL_CLASSES) as Array<keyof typeof ALL_CLASSES>;
const listed = (text: string | undefined): string[] => (text ? text.split(',').map((s) => s.trim()).filter(Boolean) : []);
for (const name of [...listed(values.only), ...listed(values.without)]) {
  if (!classes.includes(name as keyof typeof ALL_CLASSES)) throw new Error(`unknown class ${name}; classes: ${classes.join(', ')}`);
}
const only = listed(values.only);
const without = listed(values.without);
const tolerated = Object.fromEntries(listed(values.tolerate).map((name) => [name, true]));
const options = {
  ...Object.fromEntries(classes.map((c) => [c, (only.length === 0 || only.includes(c)) && !without.includes(c)])),
  tolerated,
} as unknown as ModelOptions;
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
const started = Date.now();
console.log(`model: ${values.runs} runs, seed ${seed}, up to ${values.commands} commands, classes ${classes.filter((c) => options[c]).join(', ')}`);
try {
  await runModel(options, { numRuns: Number(values.runs), seed, maxCommands: Number(values.commands), ...(values.path ? { path: values.path } : {}), ...(values.replay ? { replayPath: values.replay } : {}) });
  console.log(`model: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  if (err instanceof Error && err.cause !== undefined) console.error("cause:", err.cause);
  process.exitCode = 1;
} finally {
  await stopTestCouch();
}
