/**
 * The package as consumers get it: built, packed with `npm pack`, checked by publint and
 * arethetypeswrong, installed into a fresh project and imported from an ESM script and from
 * TypeScript compiled with `moduleResolution: bundler` and `nodenext`.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freshProject, packedTarball, root, rootManifest, run } from './tarball.js';

const bin = (name: string): string => path.join(root, 'node_modules', '.bin', name);

describe('package', function () {
  this.timeout(240_000);
  let tarball: string;

  before(() => {
    tarball = packedTarball().tarball;
  });

  it('holds LICENSE, README.md, the docs, and every file README.md and the docs link to', () => {
    const files = new Set(run('tar', ['-tzf', tarball], root).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, '')));
    for (const required of ['LICENSE', 'README.md', 'package.json', 'docs/sync.md', 'docs/bundling.md']) assert.ok(files.has(required), `${required} is packed`);
    const pages = [...files].filter((f) => f === 'README.md' || (f.startsWith('docs/') && f.endsWith('.md')));
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(path.join(root, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (target === undefined || /^[a-z]+:/.test(target)) continue;
        const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(page), target));
        if (!files.has(resolved) && ![...files].some((f) => f.startsWith(`${resolved}/`))) broken.push(`${page} -> ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('ships the Apache-2.0 text its package.json names', () => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(manifest['license'], 'Apache-2.0');
    assert.match(readFileSync(path.join(root, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
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
      const peers = Object.entries(rootManifest().peerDependencies ?? {}).map(([name, range]) => `${name}@${range}`);
      app = freshProject('app', [tarball, ...peers, 'typescript@6.0.3', '@types/node@20']);
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
