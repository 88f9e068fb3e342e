/**
 * Every ```ts block of README.md and docs/*.md compiles under strict TypeScript against the packed
 * package (installed with @types/pouchdb, as a reader's project would be), and the runnable ones run.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freshProject, packedTarball, root, rootManifest, run } from './tarball.js';
import { allSnippets, snippetsOf } from './snippets.js';

const DEV_TYPES = ['typescript', '@types/node', '@types/pouchdb', '@types/express', 'pouchdb-browser', 'pouchdb-adapter-indexeddb'];

describe('documentation snippets', function () {
  this.timeout(300_000);
  const snippets = allSnippets(root);
  let app: string;

  before(() => {
    const manifest = rootManifest() as ReturnType<typeof rootManifest> & { devDependencies: Record<string, string> };
    const peers = Object.entries(manifest.peerDependencies ?? {}).map(([name, range]) => `${name}@${range}`);
    const dev = DEV_TYPES.map((name) => `${name}@${manifest.devDependencies[name] ?? 'latest'}`);
    app = freshProject('snippets', [packedTarball().tarball, ...peers, ...dev], 'prefer-offline');
    for (const snippet of snippets) {
      mkdirSync(path.dirname(path.join(app, snippet.file)), { recursive: true });
      writeFileSync(path.join(app, snippet.file), snippet.code);
    }
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, target: 'ES2022', lib: ['ES2022', 'DOM'], module: 'nodenext', moduleResolution: 'nodenext',
        types: ['node', 'pouchdb'], skipLibCheck: true, outDir: 'out', rootDir: '.',
      },
      include: snippets.map((s) => s.file),
    }));
  });

  it('reads the markers: prelude, run and file', () => {
    const [checked, ran, file] = snippetsOf('x.md', [
      '<!-- snippet: declare const db: unknown; -->', '```ts', 'db;', '```',
      '<!-- snippet: run const a = 1; -->', '```ts', 'a;', '```',
      '<!-- snippet: file types/a.d.ts -->', '```ts', 'declare const b: 1;', '```',
    ].join('\n'));
    assert.deepEqual([checked?.run, ran?.run, file?.file], [false, true, 'types/a.d.ts']);
    assert.match(checked?.code ?? '', /declare const db: unknown;\ndb;/);
    assert.match(ran?.code ?? '', /^\/\/ x\.md:6\nconst a = 1;\na;/);
  });

  it('every ```ts block of README.md and docs/*.md type-checks strictly against the packed package', () => {
    assert.ok(snippets.length >= 10, `found ${snippets.length} blocks`);
    run(path.join(app, 'node_modules', '.bin', 'tsc'), ['-p', app], app);
  });

  it('the runnable blocks run', () => {
    const runnable = snippets.filter((s) => s.run);
    assert.ok(runnable.length >= 3, `${runnable.length} runnable blocks`);
    // Emit only: the test above does the checking.
    run(path.join(app, 'node_modules', '.bin', 'tsc'), ['-p', app, '--noCheck'], app);
    for (const snippet of runnable) {
      const out = path.join(app, 'out', snippet.file.replace(/\.ts$/, '.js'));
      const work = path.join(app, 'work', path.basename(snippet.file, '.ts'));
      mkdirSync(work, { recursive: true });
      try {
        run('node', [out], work);
      } catch (err) {
        throw new Error(`${snippet.source} failed: ${(err as Error).message}`);
      }
    }
  });
});
