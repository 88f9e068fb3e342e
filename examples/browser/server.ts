/**
 * Serves the browser example: bundles app.ts with esbuild for the browser, starts the embedded server
 * with the sync gateway and the page at /app/, and seeds the small CHT data set (users chw11 /
 * chw11-pass, chw12, supervisor1).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { build } from 'esbuild';
import { startServerWithGateway } from '../../lib/cli/gateway.js';
import type { ServerWithGateway } from '../../lib/cli/gateway.js';
import { generateDataSet } from '../../lib/seed/dataset.js';

const here = import.meta.dirname;

/** Bundles the page into `examples/browser/dist/`. */
export async function buildExample(): Promise<string> {
  const out = path.join(here, 'dist');
  mkdirSync(out, { recursive: true });
  await build({ entryPoints: [path.join(here, 'app.ts')], bundle: true, platform: 'browser', format: 'iife', minify: true, outfile: path.join(out, 'app.js'), logLevel: 'silent' });
  copyFileSync(path.join(here, 'index.html'), path.join(out, 'index.html'));
  return out;
}

/** Builds, starts and seeds; the caller closes `server`. */
export async function startExample(port = 0): Promise<ServerWithGateway & { readonly appUrl: string }> {
  const staticDir = await buildExample();
  const admin = { username: 'admin', password: randomBytes(9).toString('base64url') };
  const started = await startServerWithGateway({ port, admin, storage: { kind: 'memory' }, staticDir });
  await started.prepare();
  const headers = { authorization: `Basic ${btoa(`${admin.username}:${admin.password}`)}`, 'content-type': 'application/json' };
  const data = generateDataSet({ size: 'small', seed: 1, now: Date.now() });
  await fetch(`${started.server.url}/medic/_bulk_docs`, { method: 'POST', headers, body: JSON.stringify({ docs: data.medic }) });
  await fetch(`${started.server.url}/_users`, { method: 'PUT', headers });
  for (const user of data.users) await fetch(`${started.server.url}/_users`, { method: 'POST', headers, body: JSON.stringify(user) });
  return { ...started, appUrl: `${started.server.url}/app/` };
}
