/**
 * docs/bundling.md's esbuild recipe, run as written on an app that installed the packed package, and
 * the page it builds loaded in Chromium: PouchDB on the indexeddb adapter, a decoded and hydrated
 * document, a sync client created from the browser entry.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import path from 'node:path';
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

/** The shell command of the fenced sh block under a heading of docs/bundling.md. */
function recipe(heading: string): string {
  const markdown = readFileSync(path.join(root, 'docs', 'bundling.md'), 'utf8');
  const section = markdown.split(/^## /m).find((part) => part.startsWith(heading));
  const command = /```sh\n([^\n]+)\n```/.exec(section ?? '')?.[1];
  assert.ok(command, `docs/bundling.md has a sh block under ## ${heading}`);
  return command;
}

describe('docs/bundling.md recipes', function () {
  this.timeout(300_000);
  let server: Server | undefined;
  after(async () => { await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())); });

  it('the esbuild recipe builds an app against the packed package, and the page runs in Chromium', async () => {
    const dev = (rootManifest() as ReturnType<typeof rootManifest> & { devDependencies: Record<string, string> }).devDependencies;
    const wanted = ['pouchdb-browser', 'pouchdb-adapter-indexeddb', 'events'].map((name) => `${name}@${dev[name] ?? 'latest'}`);
    const app = freshProject('bundled-app', [packedTarball().tarball, ...wanted], 'prefer-offline');
    writeFileSync(path.join(app, 'app.ts'), APP);
    const [tool, ...args] = recipe('esbuild').replace(/^npx /, '').split(/\s+/);
    assert.equal(tool, 'esbuild');
    run(path.join(root, 'node_modules', '.bin', 'esbuild'), args, app);
    const script = readFileSync(path.join(app, 'dist', 'app.js'), 'utf8');

    server = createServer((req, res) => {
      if (req.url === '/app.js') { res.writeHead(200, { 'content-type': 'text/javascript' }); res.end(script); return; }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>loading</title><script type="module" src="/app.js"></script>');
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
      await page.waitForFunction(() => document.title !== 'loading', undefined, { timeout: 30_000 }).catch(() => undefined);
      assert.deepEqual(errors, []);
      assert.equal(await page.title(), 'indexeddb Centre Right');
    } finally {
      await browser.close();
    }
  });
});
