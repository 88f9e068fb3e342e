/**
 * Browser bundle budget: what fieldsync's own code weighs in a page, min+gzip, next to the whole
 * app (fieldsync + PouchDB + io-ts/fp-ts), and what each single import costs with its dependencies
 * (tree-shaking: `import { minify }` must not bring the codecs). Budget: 40 kB min+gzip for
 * fieldsync's own code.
 *
 * fieldsync's share is its entry bundled with every npm package external (only lib/ code counts);
 * the total is bench/support/bundle-app.ts bundled whole; a single import is `export { name }` of the entry
 * bundled with its npm dependencies. All with esbuild --platform=browser --minify.
 */
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const BUDGET = 40 * 1024;

const SINGLE_IMPORTS = ['minify', 'hydrate', 'decodeDoc', 'createSyncClient'] as const;

async function bundledSize(entry: string | { readonly contents: string }, externalPackages: boolean): Promise<{ minified: number; gzipped: number }> {
  const result = await build({
    ...(typeof entry === 'string' ? { entryPoints: [path.join(root, entry)] } : { stdin: { contents: entry.contents, resolveDir: root, loader: 'ts' as const } }),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    write: false,
    logLevel: 'silent',
    ...(externalPackages ? { packages: 'external' as const } : {}),
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
}

const kB = (n: number): string => `${(n / 1024).toFixed(1)} kB`;
const own = await bundledSize('lib/index.ts', true);
const total = await bundledSize('bench/support/bundle-app.ts', false);
console.log(`fieldsync own code: ${kB(own.minified)} min, ${kB(own.gzipped)} min+gzip`);
for (const name of SINGLE_IMPORTS) {
  const single = await bundledSize({ contents: `export { ${name} } from './lib/index.js';` }, false);
  console.log(`import { ${name} }: ${kB(single.minified)} min, ${kB(single.gzipped)} min+gzip with its dependencies`);
}
console.log(`whole app (fieldsync + pouchdb-browser + indexeddb adapter + io-ts/fp-ts): ${kB(total.minified)} min, ${kB(total.gzipped)} min+gzip`);
console.log(`bundle: ratio=${(own.gzipped / BUDGET).toFixed(3)} fieldsync-min+gzip/budget (goal <= 1, budget 40 kB)`);
