/**
 * The browser entry bundles for the browser: esbuild with --platform=browser succeeds (so no Node
 * built-in is reached; only the `events` package stands in for one), nothing server-side comes along,
 * and fieldsync's own code stays within its budget (bench/bundle.ts prints the figure).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
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

  it('fieldsync\'s own code stays within the 40 kB min+gzip budget, and carries no server-side rule set or seeding', async () => {
    const result = await build({
      entryPoints: [path.join(root, 'lib', 'index.ts')],
      bundle: true, platform: 'browser', format: 'esm', minify: true, write: false, metafile: true, logLevel: 'silent', packages: 'external',
    });
    const gzipped = gzipSync(result.outputFiles[0]?.contents ?? new Uint8Array(), { level: 9 }).byteLength;
    assert.ok(gzipped <= 40 * 1024, `${(gzipped / 1024).toFixed(1)} kB min+gzip`);
    const output = Object.values(result.metafile.outputs)[0];
    const used = Object.entries(output?.inputs ?? {}).filter(([, input]) => input.bytesInOutput > 0).map(([input]) => input);
    assert.deepEqual(used.filter((input) => /^lib\/(cht|seed)\/|^lib\/phr\/(rules|design)\.ts$|^lib\/sync\/gateway\//.test(input)), []);
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

/** `import { name } from 'fieldsync'` bundled alone for the browser: gzipped size and the inputs in the output. */
async function singleImport(name: string): Promise<{ gzipped: number; inputs: string[] }> {
  const result = await build({
    stdin: { contents: `export { ${name} } from './lib/index.js';`, resolveDir: root, loader: 'ts' },
    bundle: true, platform: 'browser', format: 'esm', minify: true, write: false, metafile: true, logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  // What ended up in the output (the metafile's top-level inputs also list what was parsed and dropped).
  const output = Object.values(result.metafile.outputs)[0];
  const inputs = Object.entries(output?.inputs ?? {}).filter(([, used]) => used.bytesInOutput > 0).map(([input]) => input);
  return { gzipped: gzipSync(code, { level: 9 }).byteLength, inputs };
}

describe('tree-shaking of the fieldsync entry', () => {
  it('import { minify } alone is at most 5 kB min+gzip with its dependencies, and brings no codec', async () => {
    const { gzipped, inputs } = await singleImport('minify');
    assert.ok(gzipped <= 5 * 1024, `${gzipped} bytes`);
    assert.deepEqual(inputs.filter((input) => /codecs\/|io-ts|fp-ts/.test(input)), []);
  });

  it('import { decodeDoc } carries one fp-ts, the ESM one io-ts uses, never its CommonJS build (fp-ts/lib)', async () => {
    const { inputs } = await singleImport('decodeDoc');
    assert.deepEqual(inputs.filter((input) => input.includes('fp-ts/lib/')), []);
  });
});
