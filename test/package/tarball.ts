/**
 * The packed package, built and packed once per test run (every spec of test/package/ shares it), and
 * helpers to install it into a fresh project from the local npm cache only.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The repository root. */
export const root = path.resolve(import.meta.dirname, '..', '..');

/** Runs a command, returning its stdout; a failure carries the command's output. */
export function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(command, args, {
      cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_update_notifier: 'false', ...env },
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

let packed: { dir: string; tarball: string } | undefined;

/** Builds and packs the repository once; returns the tarball and the temporary folder it lies in. */
export function packedTarball(): { dir: string; tarball: string } {
  if (packed) return packed;
  const dir = mkdtempSync(path.join(tmpdir(), 'fieldsync-pack-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  run('npm', ['run', '--silent', 'build'], root);
  run('npm', ['pack', '--silent', '--pack-destination', dir], root);
  const file = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  assert.ok(file, 'npm pack wrote a tarball');
  packed = { dir, tarball: path.join(dir, file) };
  return packed;
}

/** The root package.json. */
export function rootManifest(): { version: string; peerDependencies?: Record<string, string>; dependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as ReturnType<typeof rootManifest>;
}

/**
 * Creates `<packed dir>/<name>` as an empty ESM project and installs `specs` into it with
 * `npm install --offline` (the local cache only, as a user on a plane would; when the cache lacks a
 * package list, as on a machine that only ran `npm ci`, once more with `--prefer-offline`), or
 * `--prefer-offline` for packages `npm ci` of this repository does not leave in the cache.
 */
export function freshProject(name: string, specs: readonly string[], cache: 'offline' | 'prefer-offline' = 'offline'): string {
  const app = path.join(packedTarball().dir, name);
  mkdirSync(app, { recursive: true });
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }));
  // `--loglevel=error`, not `--silent`: a failed install must say why (ENOTCACHED, a version conflict...).
  const install = (mode: string): string =>
    run('npm', ['install', `--${mode}`, '--loglevel=error', '--no-audit', '--no-fund', ...specs], app);
  try {
    install(cache);
  } catch (err) {
    // `npm ci` caches tarballs but not the registry's package lists a range needs: a fresh machine asks once.
    if (cache !== 'offline' || !/ENOTCACHED|cache mode is 'only-if-cached'/.test((err as Error).message)) throw err;
    install('prefer-offline');
  }
  return app;
}
