/**
 * An incremental sync: one new document the user may see, after a complete sync. fieldsync's client
 * through the gateway against what a user would run without the gateway: an unfiltered PouchDB
 * replication (batch size 500) from the server, continuing from its checkpoint, which receives just
 * that one change.
 *
 * Data: `generateDataSet({size: 'large'})` (100,000 docs, the CHW `chw11` may see about 10,000) and
 * a medium data set (seed 12, users renamed `m…`) in the same database, whose `mchw11` may see about
 * 840: the same incremental sync at 1,000 vs 10,000 visible docs. Everything runs in this process on
 * the embedded server; bytes are HTTP bodies both ways, counted by a fetch both clients are given.
 * Medians over 9 rounds, alternating which goes first: fieldsync or PouchDB, and the wide or the narrow
 * device. The views are built once before anything is measured, and every measurement reuses them.
 *
 * Ratio: fieldsync bytes / PouchDB bytes for the same change (goal <= 2; time <= 1.5; a sync with
 * nothing to do < 2 kB; 10,000-visible / 1,000-visible cost <= 1.3).
 */
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import Nano from 'nano';
import PouchDB from 'pouchdb';
import memoryAdapter from 'pouchdb-adapter-memory';
import { startEmbeddedServer } from '../lib/embedded-server/index.js';
import { generateDataSet } from '../lib/seed/dataset.js';
import type { SeedDataSet, SeedUser } from '../lib/seed/dataset.js';
import { chtAccessRules } from '../lib/cht/rules.js';
import { createSyncClient } from '../lib/sync/client/index.js';
import type { SyncClient } from '../lib/sync/client/index.js';
import { createSyncGateway, gatewayDatabase } from '../lib/sync/gateway/index.js';
import { buildViews } from './support/build-views.js';
import { countingFetch, httpCount } from './support/http-count.js';
import type { HttpCount } from './support/http-count.js';

PouchDB.plugin(memoryAdapter);
const ROUNDS = 9;
const NOW = Date.UTC(2026, 10, 1);
const admin = { username: 'admin', password: randomBytes(8).toString('hex') };
const server = await startEmbeddedServer({ admin, storage: { kind: 'memory', namespace: 'bench-sync-incremental' } });
const nano = Nano(server.url.replace('//', `//${admin.username}:${admin.password}@`));
const big = generateDataSet({ size: process.env['BENCH_SIZE'] === 'medium' ? 'medium' : 'large', seed: 11, now: NOW });
const smallBase = generateDataSet({ size: 'medium', seed: 12, now: NOW });
const rename = (name: string): string => `m${name}`;
const small: SeedDataSet = {
  medic: smallBase.medic.filter((doc) => doc.type !== 'form').map((doc) => (doc.type === 'user-settings'
    ? { ...doc, _id: `org.couchdb.user:${rename(String(doc['name']))}`, name: rename(String(doc['name'])) } : doc)),
  users: smallBase.users.map((doc) => ({ ...doc, _id: `org.couchdb.user:${rename(String(doc['name']))}`, name: rename(String(doc['name'])) })),
  credentials: smallBase.credentials.map((c) => ({ ...c, name: rename(c.name) })),
};

let started = performance.now();
await nano.db.create('medic');
await nano.db.create('_users').catch(() => undefined);
const medic = nano.use<Record<string, unknown>>('medic');
const docs = [...big.medic, ...small.medic];
for (let i = 0; i < docs.length; i += 2_000) await medic.bulk({ docs: docs.slice(i, i + 2_000) as Array<{ _id: string }> });
for (const user of [...big.users, ...small.users]) await nano.use('_users').insert(user);
console.log(`loaded ${docs.length} docs in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const rules = chtAccessRules();
// The gateway's clock: moved on by 10 minutes before a "later" sync, so what it remembers of the user
// (their checked session, their context, what they were listed) has expired, as for a periodic sync.
let clockSkew = 0;
const LATER_MS = 10 * 60_000;
const gateway = createSyncGateway({ couchUrl: server.url, admin, databases: { medic: gatewayDatabase(rules) }, warnDocs: 20_000, now: () => Date.now() + clockSkew });
await gateway.install();
const http = createServer((req, res) => gateway(req, res));
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const gatewayUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}/medic`;

const credentials = (data: SeedDataSet, name: string): SeedUser => {
  const found = data.credentials.find((c) => c.name === name);
  if (!found) throw new Error(`no ${name} in the data set`);
  return found;
};
const wide = credentials(big, 'chw11');
const narrow = credentials(small, 'mchw11');

/** A device of `user` with its own counter; its first (complete) sync is not measured. */
async function device(user: SeedUser): Promise<{ user: SeedUser; count: HttpCount; client: SyncClient; local: PouchDB.Database; visible: number }> {
  const count = httpCount();
  const local = new PouchDB(`device-${user.name}`, { adapter: 'memory' });
  const client = createSyncClient({ local, url: gatewayUrl, auth: { username: user.name, password: user.password }, batchSize: 500, fetch: countingFetch(count) });
  const t = performance.now();
  const first = await client.sync();
  console.log(`${user.name}: first sync ${first.pull.downloaded} docs in ${((performance.now() - t) / 1000).toFixed(1)} s `);
  return { user, count, client, local, visible: (await local.info()).doc_count };
}
started = performance.now();
// Minutes over 100,000 docs on the embedded server (CouchDB builds views as documents arrive).
await buildViews(server.url, admin, 'medic', rules.designDocId);
console.log(`views built in ${((performance.now() - started) / 1000).toFixed(1)} s (one-off)`);
const wideDevice = await device(wide);
const narrowDevice = await device(narrow);

// The stock replica: up to date with the server, with its checkpoint written.
const stockCount = httpCount();
const stockRemote = new PouchDB(`${server.url}/medic`, { auth: admin, fetch: countingFetch(stockCount) });
const stockLocal = new PouchDB('device-stock', { adapter: 'memory' });
const since = (await stockRemote.info()).update_seq;
// One change after `since` (a doc nobody syncs), so the replication writes its checkpoint.
await medic.insert({ _id: 'bench-warm-up', type: 'bench' });
await stockLocal.replicate.from(stockRemote, { since, batch_size: 500 });

interface Cost { bytes: number; requests: number; ms: number }
async function measure(count: HttpCount, run: () => Promise<number>, expect: number, what: string): Promise<Cost> {
  const before = { bytes: count.bytes, requests: count.requests };
  const t = performance.now();
  const got = await run();
  const ms = performance.now() - t;
  if (got !== expect) throw new Error(`${what} got ${got} docs, expected ${expect}`);
  return { bytes: count.bytes - before.bytes, requests: count.requests - before.requests, ms };
}
const fieldsyncSync = (d: typeof wideDevice, expect: number): Promise<Cost> =>
  measure(d.count, async () => { const r = await d.client.sync(); if (r.state !== 'up-to-date') throw new Error(`${d.user.name}: ${r.state}`); return r.pull.downloaded; }, expect, d.user.name);
const stockSync = (expect: number): Promise<Cost> =>
  measure(stockCount, async () => (await stockLocal.replicate.from(stockRemote, { batch_size: 500 })).docs_written, expect, 'PouchDB');

let serial = 0;
async function writeFor(user: SeedUser): Promise<void> {
  serial += 1;
  await medic.insert({ _id: `bench-visit-${user.name}-${serial}`, type: 'data_record', form: 'home_visit', reported_date: NOW, contact: { _id: user.contactId }, fields: { visited: 'yes' } });
}

interface Round { wide: Cost; stock: Cost; narrow: Cost; nothing: Cost; wideLater: Cost; stockLater: Cost; narrowLater: Cost }
const rounds: Round[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  const got: Partial<Round> = {};
  /** One new doc for the wide device: fieldsync's sync and PouchDB's replication of it, in alternating order. */
  const wideStep = async (later: boolean): Promise<void> => {
    if (later) clockSkew += LATER_MS;
    await writeFor(wide);
    let f: Cost;
    let p: Cost;
    if (round % 2 === 0) { f = await fieldsyncSync(wideDevice, 1); p = await stockSync(1); }
    else { p = await stockSync(1); f = await fieldsyncSync(wideDevice, 1); }
    if (later) { got.wideLater = f; got.stockLater = p; } else { got.wide = f; got.stock = p; }
  };
  const narrowStep = async (later: boolean): Promise<void> => {
    if (later) clockSkew += LATER_MS;
    await writeFor(narrow);
    const f = await fieldsyncSync(narrowDevice, 1);
    await stockSync(1);
    if (later) got.narrowLater = f; else got.narrow = f;
  };
  // Alternating which goes first: fieldsync or PouchDB, and the wide or the narrow device.
  if (round % 2 === 0) { await wideStep(false); await narrowStep(false); await wideStep(true); await narrowStep(true); }
  else { await narrowStep(false); await wideStep(false); await narrowStep(true); await wideStep(true); }
  got.nothing = await fieldsyncSync(wideDevice, 0);
  rounds.push(got as Round);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const med = (pick: (r: Round) => Cost): Cost => ({
  bytes: median(rounds.map((r) => pick(r).bytes)), requests: median(rounds.map((r) => pick(r).requests)), ms: median(rounds.map((r) => pick(r).ms)),
});
const f = med((r) => r.wide);
const s = med((r) => r.stock);
const n = med((r) => r.narrow);
const nothing = med((r) => r.nothing);
const fl = med((r) => r.wideLater);
const sl = med((r) => r.stockLater);
const nl = med((r) => r.narrowLater);
const show = (c: Cost): string => `${(c.bytes / 1000).toFixed(1)} kB, ${c.requests} requests, ${c.ms.toFixed(0)} ms`;
const each = (pick: (r: Round) => Cost): string => rounds.map((r) => `${(pick(r).bytes / 1000).toFixed(1)} kB/${pick(r).ms.toFixed(0)} ms`).join(', ');
const ratio = (a: number, b: number): string => (a / b).toFixed(2);
console.log(`right after the last sync (the gateway still holds the user's session and context):`);
console.log(`  fieldsync, ${wideDevice.visible} visible docs, one new: ${show(f)}; rounds ${each((r) => r.wide)}`);
console.log(`  PouchDB unfiltered replication of the same change: ${show(s)}; rounds ${each((r) => r.stock)}`);
console.log(`  fieldsync, ${narrowDevice.visible} visible docs, one new: ${show(n)}; rounds ${each((r) => r.narrow)}`);
console.log(`  fieldsync, nothing to do: ${show(nothing)} (goal < 2 kB)`);
console.log(`10 minutes after the last sync (session, context and listed revisions expired in the gateway):`);
console.log(`  fieldsync, ${wideDevice.visible} visible docs, one new: ${show(fl)}; rounds ${each((r) => r.wideLater)}`);
console.log(`  PouchDB unfiltered replication of the same change: ${show(sl)}; rounds ${each((r) => r.stockLater)}`);
console.log(`  fieldsync, ${narrowDevice.visible} visible docs, one new: ${show(nl)}; rounds ${each((r) => r.narrowLater)}`);
console.log(`time: ratio=${ratio(f.ms, s.ms)} fieldsync/PouchDB right after, ${ratio(fl.ms, sl.ms)} 10 minutes later (goal <= 1.5); requests ${f.requests} vs ${s.requests}`);
console.log(`visible-set cost ${wideDevice.visible}/${narrowDevice.visible} visible docs (goal <= 1.3): bytes ratio=${ratio(f.bytes, n.bytes)}, time ratio=${ratio(f.ms, n.ms)} right after; bytes ${ratio(fl.bytes, nl.bytes)}, time ${ratio(fl.ms, nl.ms)} 10 minutes later`);
http.close();
gateway.close();
await server.close();
console.log(`sync-incremental: ratio=${ratio(f.bytes, s.bytes)} fieldsync/PouchDB bytes of one new visible doc among ${wideDevice.visible} of ${docs.length} (${ratio(fl.bytes, sl.bytes)} 10 minutes later; goal <= 2)`);
