/**
 * Initial pull of one CHW through the sync gateway against the floor: an unfiltered PouchDB
 * replication of exactly the same documents from a database that holds only them.
 *
 * Data: `generateDataSet({size: 'large'})`, 100,000 docs; the CHW of one health centre may see about
 * 10,000 of them. Both runs use the embedded server in this process, a fresh in-memory PouchDB on
 * the device side and batches of 500; medians of 7 rounds, alternating which side goes first. The
 * gateway's views are built before timing (CouchDB builds them as documents arrive); their one-off
 * build time is printed separately.
 *
 * Ratio: gateway pull time / floor time (goal <= 1.5).
 */
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import Nano from 'nano';
import PouchDB from 'pouchdb';
import memoryAdapter from 'pouchdb-adapter-memory';
import { startEmbeddedServer } from '../lib/embedded-server/index.js';
import { generateDataSet } from '../lib/seed/dataset.js';
import { chtAccessRules } from '../lib/cht/rules.js';
import { createSyncClient } from '../lib/sync/client/index.js';
import { createSyncGateway, gatewayDatabase } from '../lib/sync/gateway/index.js';
import { buildViews } from './support/build-views.js';

PouchDB.plugin(memoryAdapter);
/** At least 7: with 3 rounds the ratio moved between 1.23 and 1.70 from run to run. */
const ROUNDS = 7;
const admin = { username: 'admin', password: randomBytes(8).toString('hex') };
const server = await startEmbeddedServer({ admin, storage: { kind: 'memory', namespace: 'bench-sync' } });
const nano = Nano(server.url.replace('//', `//${admin.username}:${admin.password}@`));
const data = generateDataSet({ size: process.env['BENCH_SIZE'] === 'medium' ? 'medium' : 'large', seed: 11, now: Date.UTC(2026, 10, 1) });

let started = performance.now();
await nano.db.create('medic');
await nano.db.create('_users').catch(() => undefined);
const medic = nano.use<Record<string, unknown>>('medic');
for (let i = 0; i < data.medic.length; i += 2_000) {
  await medic.bulk({ docs: data.medic.slice(i, i + 2_000) as Array<{ _id: string }> });
}
for (const user of data.users) await nano.use('_users').insert(user);
console.log(`loaded ${data.medic.length} docs in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const rules = chtAccessRules();
const gateway = createSyncGateway({ couchUrl: server.url, admin, databases: { medic: gatewayDatabase(rules) }, warnDocs: 20_000 });
await gateway.install();
const http = createServer((req, res) => gateway(req, res));
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const gatewayUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}/medic`;

const chw = data.credentials.find((c) => c.role === 'chw');
if (!chw) throw new Error('no CHW in the data set');
started = performance.now();
await buildViews(server.url, admin, 'medic', rules.designDocId);
const probe = await fetch(`${gatewayUrl}/_fieldsync/ids`, { headers: { authorization: `Basic ${btoa(`${chw.name}:${chw.password}`)}` } });
const list = (await probe.json()) as { rows: Array<{ id: string; rev: string }>; count: number };
console.log(`views built over ${data.medic.length} docs in ${((performance.now() - started) / 1000).toFixed(1)} s (one-off); ${chw.name} may see ${list.count} docs`);

// The floor database: the same documents with the same revisions, and nothing else.
await nano.db.create('floor');
for (let i = 0; i < list.rows.length; i += 1_000) {
  const part = list.rows.slice(i, i + 1_000);
  const got = (await medic.fetch({ keys: part.map((r) => r.id) }, { attachments: true } as Nano.DocumentFetchParams)) as { rows: Array<{ doc?: Record<string, unknown> }> };
  const docs = got.rows.flatMap((r) => (r.doc ? [r.doc] : []));
  await nano.request({ db: 'floor', method: 'POST', path: '_bulk_docs', body: { docs, new_edits: false } });
}

async function gatewayPull(round: number): Promise<number> {
  const local = new PouchDB(`device-gw-${round}`, { adapter: 'memory' });
  const client = createSyncClient({ local, url: gatewayUrl, auth: { username: chw!.name, password: chw!.password }, batchSize: 500 });
  const t = performance.now();
  const result = await client.sync();
  const ms = performance.now() - t;
  if (result.pull.downloaded !== list.count) throw new Error(`gateway pulled ${result.pull.downloaded}, expected ${list.count}`);
  await local.destroy();
  return ms;
}

async function floorPull(round: number): Promise<number> {
  const local = new PouchDB(`device-floor-${round}`, { adapter: 'memory' });
  const remote = new PouchDB(`${server.url}/floor`, { auth: admin });
  const t = performance.now();
  const result = await local.replicate.from(remote, { batch_size: 500 });
  const ms = performance.now() - t;
  if (result.docs_written !== list.count) throw new Error(`floor pulled ${result.docs_written}, expected ${list.count}`);
  await local.destroy();
  return ms;
}

const gatewayTimes: number[] = [];
const floorTimes: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  // Alternate the order so neither side always runs on a warmer process.
  if (round % 2 === 0) { gatewayTimes.push(await gatewayPull(round)); floorTimes.push(await floorPull(round)); }
  else { floorTimes.push(await floorPull(round)); gatewayTimes.push(await gatewayPull(round)); }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const g = median(gatewayTimes);
const f = median(floorTimes);
console.log(`gateway pull: ${(g / 1000).toFixed(2)} s (${Math.round(list.count / (g / 1000))} docs/s); rounds ${gatewayTimes.map((t) => (t / 1000).toFixed(2)).join(', ')}`);
console.log(`floor (unfiltered PouchDB replicate of the same docs): ${(f / 1000).toFixed(2)} s (${Math.round(list.count / (f / 1000))} docs/s); rounds ${floorTimes.map((t) => (t / 1000).toFixed(2)).join(', ')}`);
http.close();
gateway.close();
await server.close();
console.log(`sync: ratio=${(g / f).toFixed(2)} gateway/floor initial pull of ${list.count} of ${data.medic.length} docs (goal <= 1.5)`);
