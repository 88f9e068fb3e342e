/**
 * Serves the browser example: bundles app.ts with esbuild for the browser, starts the embedded server
 * with the sync gateway and the page at /app/, and seeds the small CHT data set (users chw11 /
 * chw11-pass, chw12, supervisor1).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { build } from 'esbuild';
import express from 'express';
import { chtAccessRules, createSyncGateway, gatewayDatabase, generateDataSet, startEmbeddedServer } from 'fieldsync/server';
import type { EmbeddedServer, HttpHandler, SyncGateway } from 'fieldsync/server';

const here = import.meta.dirname;

/** Bundles the page into `examples/browser/dist/`. */
export async function buildExample(): Promise<string> {
  const out = path.join(here, 'dist');
  mkdirSync(out, { recursive: true });
  await build({ entryPoints: [path.join(here, 'app.ts')], bundle: true, platform: 'browser', format: 'iife', minify: true, outfile: path.join(out, 'app.js'), logLevel: 'silent' });
  copyFileSync(path.join(here, 'index.html'), path.join(out, 'index.html'));
  return out;
}

/** The running example; `close` stops the gateway's change following and the server. */
export interface RunningExample {
  readonly server: EmbeddedServer;
  readonly appUrl: string;
  close(): Promise<void>;
}

/** Builds, starts and seeds; the caller calls `close`. */
export async function startExample(port = 0): Promise<RunningExample> {
  const staticDir = await buildExample();
  const admin = { username: 'admin', password: randomBytes(9).toString('base64url') };
  // The gateway talks to the server it is mounted in, so it is created once the server listens.
  const mounted: { gateway?: SyncGateway } = {};
  const server = await startEmbeddedServer({
    port, admin, storage: { kind: 'memory' },
    mount: (app) => {
      app.use('/fieldsync', (req, res, next) => (mounted.gateway ? mounted.gateway(req, res, next) : next()));
      // The page is served next to its gateway: same origin, so the browser sends its credentials.
      app.use('/app', express.static(staticDir) as unknown as HttpHandler);
    },
  });
  const gateway = createSyncGateway({ couchUrl: server.url, admin, databases: { medic: gatewayDatabase(chtAccessRules()) } });
  const headers = { authorization: `Basic ${btoa(`${admin.username}:${admin.password}`)}`, 'content-type': 'application/json' };
  await fetch(`${server.url}/medic`, { method: 'PUT', headers });
  await gateway.install();
  mounted.gateway = gateway;
  const data = generateDataSet({ size: 'small', seed: 1, now: Date.now() });
  await fetch(`${server.url}/medic/_bulk_docs`, { method: 'POST', headers, body: JSON.stringify({ docs: data.medic }) });
  await fetch(`${server.url}/_users`, { method: 'PUT', headers });
  for (const user of data.users) await fetch(`${server.url}/_users`, { method: 'POST', headers, body: JSON.stringify(user) });
  return { server, appUrl: `${server.url}/app/`, close: () => { gateway.close(); return server.close(); } };
}
