/**
 * docs/bundling.md's recipes (esbuild, Vite, webpack 5), each run as written on an app that installed the
 * packed package, and the page each builds loaded in Chromium: PouchDB on the indexeddb adapter, a decoded
 * and hydrated document, a sync client created from the browser entry.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Configuration } from 'webpack';
import { launchChromium } from '../browser/chromium.js';
import { freshProject, packedTarball, root, rootManifest, run } from './tarball.js';

const APP = `
import PouchDB from 'pouchdb-browser';
import indexeddb from 'pouchdb-adapter-indexeddb';
import { createSyncClient, decodeDoc, hydrate, minify, pouchSource } from 'fieldsync';

PouchDB.plugin(indexeddb);
const db = new PouchDB('bundled', { adapter: 'indexeddb' });
createSyncClient({ local: db, url: '/fieldsync/medic' });
await db.bulkDocs([
  { _id: 'hc', type: 'health_center', name: 'Centre', reported_date: 1 },
  { _id: 'p1', type: 'person', name: 'Ada', reported_date: 1, parent: { _id: 'hc' } },
]);
const person = await db.get('p1');
const { docs } = await hydrate([person], pouchSource(db));
const decoded = decodeDoc(minify(docs[0]));
document.title = [(await db.info()).adapter, docs[0].parent?.name, decoded._tag].join(' ');
`;

/** The body of the fenced block of `lang` under a heading of docs/bundling.md. */
function recipe(heading: string, lang: 'sh' | 'js'): string {
  const markdown = readFileSync(path.join(root, 'docs', 'bundling.md'), 'utf8');
  const section = markdown.split(/^## /m).find((part) => part.startsWith(heading));
  const block = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\\n\`\`\``).exec(section ?? '')?.[1];
  assert.ok(block, `docs/bundling.md has a ${lang} block under ## ${heading}`);
  return block;
}

/** Serves a built page and its scripts from `dir`, loads it in Chromium and answers its title and errors. */
async function load(dir: string, html: string): Promise<{ title: string; errors: string[] }> {
  const server = createServer((req, res) => {
    const file = path.join(dir, path.normalize(req.url ?? '/').replace(/^([/\\.])+/, ''));
    if (req.url === '/') { res.writeHead(200, { 'content-type': 'text/html' }); res.end(html); return; }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    await page.waitForFunction(() => document.title !== 'loading', undefined, { timeout: 30_000 }).catch(() => undefined);
    return { title: await page.title(), errors };
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const MODULE_PAGE = (src: string): string => `<!doctype html><title>loading</title><script type="module" src="${src}"></script>`;

describe('docs/bundling.md recipes', function () {
  this.timeout(300_000);
  let app = '';
  before(() => {
    const dev = (rootManifest() as ReturnType<typeof rootManifest> & { devDependencies: Record<string, string> }).devDependencies;
    const wanted = ['pouchdb-browser', 'pouchdb-adapter-indexeddb', 'events'].map((name) => `${name}@${dev[name] ?? 'latest'}`);
    app = freshProject('bundled-app', [packedTarball().tarball, ...wanted], 'prefer-offline');
    writeFileSync(path.join(app, 'app.ts'), APP);
    writeFileSync(path.join(app, 'app.js'), APP);
  });

  it('the esbuild recipe builds an app against the packed package, and the page runs in Chromium', async () => {
    const [tool, ...args] = recipe('esbuild', 'sh').replace(/^npx /, '').split(/\s+/);
    assert.equal(tool, 'esbuild');
    run(path.join(root, 'node_modules', '.bin', 'esbuild'), args, app);
    assert.deepEqual(await load(path.join(app, 'dist'), MODULE_PAGE('/app.js')), { title: 'indexeddb Centre Right', errors: [] });
  });

  for (const shim of [true, false]) {
    const how = shim ? 'with its events shim' : 'with no configuration at all';
    it(`the Vite recipe builds an app against the packed package ${how}, and the page runs in Chromium`, async () => {
      const config = path.join(app, 'vite.config.mjs');
      writeFileSync(config, shim ? recipe('Vite', 'js') : 'export default {};\n');
      writeFileSync(path.join(app, 'index.html'), MODULE_PAGE('/app.js'));
      const vite = await import('vite');
      await vite.build({ root: app, configFile: config, logLevel: 'silent', build: { outDir: 'dist-vite', target: 'es2022' } });
      const html = readFileSync(path.join(app, 'dist-vite', 'index.html'), 'utf8');
      assert.deepEqual(await load(path.join(app, 'dist-vite'), html), { title: 'indexeddb Centre Right', errors: [] });
    });

    it(`the webpack 5 recipe builds an app against the packed package ${how}, and the page runs in Chromium`, async () => {
      // An ESM app (`"type": "module"`) names a CommonJS config `.cjs`.
      const configFile = path.join(app, 'webpack.config.cjs');
      writeFileSync(configFile, shim ? recipe('webpack', 'js') : 'module.exports = {};\n');
      const config = createRequire(configFile)(configFile) as Configuration;
      const { default: webpack } = await import('webpack');
      const out = path.join(app, 'dist-webpack');
      await new Promise<void>((resolve, reject) => {
        webpack({ ...config, mode: 'production', context: app, entry: './app.js', output: { path: out, filename: 'app.js' } }, (err, stats) => {
          if (err) reject(err);
          else if (stats?.hasErrors()) reject(new Error(stats.toString({ colors: false, all: false, errors: true })));
          else resolve();
        });
      });
      assert.ok(readdirSync(out).includes('app.js'));
      const page = '<!doctype html><title>loading</title><script src="/app.js"></script>';
      assert.deepEqual(await load(out, page), { title: 'indexeddb Centre Right', errors: [] });
    });
  }
});
