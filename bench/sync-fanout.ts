/**
 * One write with N live clients of different users (N = 1, 10, 100), visible to one of them: the
 * requests and the server's CPU (gateway and embedded server, in their own process, by
 * `process.cpuUsage` deltas) the write causes, and the time until the affected device holds it. The
 * clients (fieldsync's, each a different CHW of one area: 16 docs each) run in this process on
 * loopback; the write is made by an admin straight to the server. After each write the bench waits
 * until no client has a request other than its live wait open for 300 ms, so every request the write
 * caused is counted. Median of 3 writes per N, each to another user.
 *
 * Ratio: time until the affected device is up to date at 100 clients / at 1 client (goal <= 1.5;
 * the unaffected clients cause 0 requests).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import Nano from 'nano';
import PouchDB from 'pouchdb';
import memoryAdapter from 'pouchdb-adapter-memory';
import { createSyncClient } from '../lib/sync/client/index.js';
import type { SyncClient } from '../lib/sync/client/index.js';
import { countingFetch, httpCount } from './support/http-count.js';
import type { HttpCount } from './support/http-count.js';

PouchDB.plugin(memoryAdapter);
const COUNTS = [1, 10, 100];
const WRITES = 3;

interface Ready { gatewayUrl: string; couchUrl: string; users: Array<{ name: string; password: string; contactId: string }> }
const child = fork(path.join(import.meta.dirname, 'support', 'fanout-server.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ready = await new Promise<Ready>((resolve, reject) => {
  child.once('message', (m) => resolve(m as Ready));
  child.once('exit', (code) => reject(new Error(`the server process exited (${code})`)));
});
const cpu = (): Promise<number> => new Promise((resolve) => {
  child.once('message', (m) => { const u = m as NodeJS.CpuUsage; resolve((u.user + u.system) / 1000); });
  child.send('cpu');
});
const medic = Nano(ready.couchUrl).use<Record<string, unknown>>('medic');

/** Resolves once `db` holds `id` (the feed opens before the first look). */
async function until(db: PouchDB.Database, id: string): Promise<void> {
  const feed = db.changes({ since: 'now', live: true });
  try {
    const arrived = new Promise<void>((resolve) => { void feed.on('change', (change) => { if (change.id === id) resolve(); }); });
    if ((await db.allDocs({ keys: [id] })).rows.some((row) => 'value' in row)) return;
    await arrived;
  } finally {
    feed.cancel();
  }
}

interface Device { client: SyncClient; local: PouchDB.Database; count: HttpCount; contactId: string }
const total = httpCount();
async function settled(devices: readonly Device[]): Promise<void> {
  for (;;) {
    const quiet = total.busy === 0 && devices.every((d) => d.client.state !== 'syncing') && performance.now() - total.lastActivity > 300;
    if (quiet) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const results: Array<{ n: number; requests: number; unaffected: number; bytes: number; cpuMs: number; ms: number }> = [];
let serial = 0;
for (const n of COUNTS) {
  const devices: Device[] = [];
  for (const user of ready.users.slice(0, n)) {
    const count = httpCount();
    const local = new PouchDB(`fan-${n}-${user.name}`, { adapter: 'memory' });
    const client = createSyncClient({
      local, url: ready.gatewayUrl, auth: { username: user.name, password: user.password }, fetch: countingFetch(count, total), liveWaitMs: 110_000,
    });
    await client.sync();
    devices.push({ client, local, count, contactId: user.contactId });
  }
  for (const d of devices) d.client.start();
  await settled(devices);
  const writes: Array<{ requests: number; unaffected: number; bytes: number; cpuMs: number; ms: number }> = [];
  for (let w = 0; w < WRITES; w += 1) {
    const target = devices[(w * 37) % n]!;
    serial += 1;
    const id = `fanout-visit-${serial}`;
    const before = { requests: total.requests, bytes: total.bytes, mine: target.count.requests, cpu: await cpu() };
    const t = performance.now();
    await medic.insert({ _id: id, type: 'data_record', form: 'home_visit', reported_date: Date.now(), contact: { _id: target.contactId }, fields: { patient_uuid: target.contactId } });
    await until(target.local, id);
    const ms = performance.now() - t;
    await settled(devices);
    const requests = total.requests - before.requests;
    writes.push({ requests, unaffected: requests - (target.count.requests - before.mine), bytes: total.bytes - before.bytes, cpuMs: (await cpu()) - before.cpu, ms });
  }
  await Promise.all(devices.map((d) => d.client.stop()));
  await Promise.all(devices.map((d) => d.local.destroy()));
  const m = (pick: (x: (typeof writes)[number]) => number): number => median(writes.map(pick));
  const row = { n, requests: m((x) => x.requests), unaffected: m((x) => x.unaffected), bytes: m((x) => x.bytes), cpuMs: m((x) => x.cpuMs), ms: m((x) => x.ms) };
  results.push(row);
  console.log(`N=${n}: ${row.requests} requests per write (${row.unaffected} by unaffected clients), ${(row.bytes / 1000).toFixed(1)} kB, server CPU ${row.cpuMs.toFixed(0)} ms, affected device up to date in ${row.ms.toFixed(0)} ms; writes ${writes.map((x) => `${x.requests} req/${x.ms.toFixed(0)} ms`).join(', ')}`);
}
child.kill();
const one = results[0]!;
const hundred = results.at(-1)!;
console.log(`unaffected clients' requests per write at N=${hundred.n}: ${hundred.unaffected} (goal 0)`);
console.log(`sync-fanout: ratio=${(hundred.ms / one.ms).toFixed(2)} time-to-up-to-date at ${hundred.n}/${one.n} live clients (goal <= 1.5)`);
