/**
 * The browser entry bundles for the browser: esbuild with --platform=browser succeeds (so no Node
 * built-in is reached; only the `events` package stands in for one) and nothing server-side comes along.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..', '..');
const FORBIDDEN = ['nano', 'express', 'express-pouchdb', 'leveldown', 'level', 'pouchdb-adapter-leveldb', 'pouchdb-adapter-memory', 'memdown', 'undici', 'commander', 'cli-progress'];

function packageOf(input: string): string | undefined {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

describe('browser bundle of the fieldsync entry', () => {
  it('builds for the browser and contains no server-side package', async () => {
    const result = await build({
      entryPoints: [path.join(root, 'lib', 'index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const packages = new Set(Object.keys(result.metafile.inputs).map(packageOf).filter((p): p is string => p !== undefined));
    const leaked = FORBIDDEN.filter((name) => packages.has(name));
    assert.deepEqual(leaked, [], `server-side packages in the browser bundle: ${leaked.join(', ')}`);
    const nodeBuiltins = Object.keys(result.metafile.inputs).filter((input) => input.startsWith('node:'));
    assert.deepEqual(nodeBuiltins, []);
  });

  it('fails loudly when something reaches a Node built-in (the check can fail)', async () => {
    await assert.rejects(build({
      stdin: { contents: "import { readFileSync } from 'node:fs'; console.log(readFileSync);", resolveDir: root },
      bundle: true,
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    }));
  });
});
