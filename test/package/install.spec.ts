/**
 * What an install of the packed package brings: a browser app gets fieldsync, io-ts and fp-ts and
 * nothing else (no install scripts, no native code); a server adds the optional peers and runs `serve`.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { freshProject, packedTarball, rootManifest, run } from './tarball.js';

interface LockEntry { readonly hasInstallScript?: boolean }

/** Installed packages as the project's lockfile lists them. */
function installed(app: string): Map<string, LockEntry> {
  const lock = JSON.parse(readFileSync(path.join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  return new Map(Object.entries(lock.packages).filter(([key]) => key !== ''));
}

/** Native code on disk: compiled addons and node-gyp build files. */
function nativeFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...nativeFiles(full));
    else if (entry.name.endsWith('.node') || entry.name === 'binding.gyp') found.push(full);
  }
  return found;
}

function bytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? bytes(full) : statSync(full).size;
  }
  return total;
}

describe('installing the packed package', function () {
  this.timeout(300_000);

  it('a browser app gets at most 5 packages, with no install script and no native code', () => {
    const app = freshProject('browser-app', [packedTarball().tarball]);
    const packages = installed(app);
    const size = bytes(path.join(app, 'node_modules'));
    console.log(`      browser install: ${packages.size} packages, ${(size / 1e6).toFixed(1)} MB`);
    assert.ok(packages.size <= 5, `installed ${packages.size} packages: ${[...packages.keys()].join(', ')}`);
    assert.deepEqual([...packages].filter(([, entry]) => entry.hasInstallScript).map(([key]) => key), []);
    assert.deepEqual(nativeFiles(path.join(app, 'node_modules')), []);
    assert.match(run('node', ['--input-type=module', '-e', "import { minify } from 'fieldsync'; console.log(typeof minify);"], app), /^function/);
    const cli = spawnSync(path.join(app, 'node_modules', '.bin', 'fieldsync'), ['serve'], { cwd: app, encoding: 'utf8' });
    assert.equal(cli.status, 2);
    assert.match(cli.stderr, /^fieldsync: the fieldsync command needs the server packages, .*npm install .*'express@/);
  });

  it('a server install with the optional peers runs `fieldsync serve` and answers as CouchDB', async () => {
    const peers = Object.entries(rootManifest().peerDependencies ?? {}).map(([name, range]) => `${name}@${range}`);
    assert.ok(peers.length > 0, 'the server side is behind optional peer dependencies');
    const app = freshProject('server-app', [packedTarball().tarball, ...peers]);
    console.log(`      server install: ${installed(app).size} packages, ${(bytes(path.join(app, 'node_modules')) / 1e6).toFixed(1)} MB`);
    assert.equal(run(path.join(app, 'node_modules', '.bin', 'fieldsync'), ['--version'], app).trim(), rootManifest().version);
    const child = spawn(path.join(app, 'node_modules', '.bin', 'fieldsync'), ['serve', '--memory', '--port', '0'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match?.[1]) resolve(match[1]);
        });
        child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}${err}`)));
      });
      const welcome = await (await fetch(url)).json() as Record<string, unknown>;
      assert.ok(Object.values(welcome).includes('Welcome!') || welcome['couchdb'] === 'Welcome', JSON.stringify(welcome));
    } finally {
      // Waited for: a child still holding this process's pipes would keep the test run alive.
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(forced);
    }
  });
});
