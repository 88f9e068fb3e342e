/**
 * The package as consumers get it: built, packed with `npm pack`, checked by publint and
 * arethetypeswrong, installed into a fresh project and imported from an ESM script and from
 * TypeScript compiled with `moduleResolution: bundler` and `nodenext`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = (name: string): string => path.join(root, 'node_modules', '.bin', name);

function run(command: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

describe('package', function () {
  this.timeout(240_000);
  let work: string;
  let tarball: string;

  before(() => {
    work = mkdtempSync(path.join(tmpdir(), 'fieldsync-pack-'));
    run('npm', ['run', '--silent', 'build'], root);
    run('npm', ['pack', '--silent', '--pack-destination', work], root);
    const packed = readdirSync(work).find((f) => f.endsWith('.tgz'));
    assert.ok(packed, 'npm pack wrote a tarball');
    tarball = path.join(work, packed);
  });

  after(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('passes publint', () => {
    run(bin('publint'), ['run', tarball, '--strict'], root);
  });

  it('passes arethetypeswrong for ESM consumers', () => {
    run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii'], root);
  });

  describe('installed into a fresh project', () => {
    let app: string;
    before(() => {
      app = path.join(work, 'app');
      run('mkdir', ['-p', app], work);
      writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
      run('npm', ['install', '--silent', '--no-audit', '--no-fund', '--prefer-offline', tarball, 'typescript@6.0.3', '@types/node@20'], app);
    });

    it('imports both entries from a plain ESM script', () => {
      writeFileSync(path.join(app, 'main.mjs'), [
        "import * as fieldsync from 'fieldsync';",
        "import * as server from 'fieldsync/server';",
        "if (typeof fieldsync.createConsistencyChecker !== 'function') throw new Error('fieldsync entry incomplete');",
        "if (typeof server.startEmbeddedServer !== 'function') throw new Error('fieldsync/server entry incomplete');",
        "console.log('ok', Object.keys(fieldsync).length, Object.keys(server).length);",
      ].join('\n'));
      assert.match(run('node', ['main.mjs'], app), /^ok \d+ \d+/);
    });

    for (const resolution of ['bundler', 'nodenext'] as const) {
      it(`type-checks a TypeScript consumer with moduleResolution ${resolution}`, () => {
        const dir = path.join(app, resolution);
        run('mkdir', ['-p', dir], app);
        writeFileSync(path.join(dir, 'use.ts'), [
          "import { createConsistencyChecker } from 'fieldsync';",
          "import type { ConsistencyProblem } from 'fieldsync';",
          "import { startEmbeddedServer } from 'fieldsync/server';",
          'const checker = createConsistencyChecker();',
          "checker.add({ _id: 'a', type: 'person', parent: { _id: 'b' } });",
          'const problems: readonly ConsistencyProblem[] = checker.problems();',
          'export const count: number = problems.length;',
          'export const start: typeof startEmbeddedServer = startEmbeddedServer;',
        ].join('\n'));
        writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
          compilerOptions: {
            strict: true, noEmit: true, target: 'ES2022', lib: ['ES2022', 'DOM'],
            module: resolution === 'bundler' ? 'esnext' : 'nodenext', moduleResolution: resolution,
            types: ['node'],
          },
          files: ['use.ts'],
        }));
        run(path.join(app, 'node_modules', '.bin', 'tsc'), ['-p', dir], dir);
      });
    }
  });
});
