/**
 * An offline cart-to-order flow of a PHR app, end to end on the embedded server:
 * the phone pulls the lab-test price list, adds a test to its cart while offline, syncs; the server
 * places the order; the order and its status reach the phone. Run: `npx tsx examples/phr/cart-to-order.ts`.
 * (In an app, import from 'fieldsync' and 'fieldsync/server' instead of the lib paths.)
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createSyncClient, PHR_DATABASE, phrDocId } from 'fieldsync';
import { createSyncGateway, gatewayDatabase, phrAccessRules, startEmbeddedServer } from 'fieldsync/server';
import type { SyncGateway } from 'fieldsync/server';

const log = (line: string): void => { console.log(line); };
const require = createRequire(import.meta.url);
const PouchDB = (require('pouchdb') as PouchDB.Static).plugin(require('pouchdb-adapter-memory') as PouchDB.Plugin);

// 1. The server: CouchDB-compatible, with the sync gateway applying the PHR policies to testingdb.
const admin = { username: 'admin', password: randomBytes(9).toString('base64url') };
const mounted: { gateway?: SyncGateway } = {};
const server = await startEmbeddedServer({ admin, mount: (app) => app.use('/sync', (req, res, next) => (mounted.gateway ? mounted.gateway(req, res, next) : next())) });
const headers = { authorization: `Basic ${btoa(`${admin.username}:${admin.password}`)}`, 'content-type': 'application/json' };
const couch = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
  const res = await fetch(`${server.url}/${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return (await res.json()) as Record<string, unknown>;
};
try {
  mounted.gateway = createSyncGateway({ couchUrl: server.url, admin, databases: { [PHR_DATABASE]: gatewayDatabase(phrAccessRules()) } });
  await couch('PUT', PHR_DATABASE);
  await mounted.gateway.install();
  await couch('PUT', '_users');
  await couch('PUT', '_users/org.couchdb.user:asha', { _id: 'org.couchdb.user:asha', type: 'user', name: 'asha', password: 'asha-pass', roles: [] });
  const now = Date.now();
  await couch('POST', `${PHR_DATABASE}/_bulk_docs`, { docs: [
    { _id: phrDocId('pricings', 'cbc'), type: 'pricings', testName: 'Complete blood count', price: 250, currency: 'INR', createdAt: now },
    { _id: phrDocId('pricings', 'lipid'), type: 'pricings', testName: 'Lipid profile', price: 600, currency: 'INR', createdAt: now },
    { _id: phrDocId('hiukeys', 'asha'), type: 'hiukeys', privateKey: 'never-on-a-phone', createdAt: now },
  ] });
  log(`1. server on ${server.url}; the PHR database "${PHR_DATABASE}" is synced through ${server.url}/sync/${PHR_DATABASE}`);

  // 2. Asha's phone pulls what she may see: the price list (and none of the server's keys).
  const phone = new PouchDB<Record<string, unknown>>(`asha-phone-${now}`, { adapter: 'memory' });
  const sync = createSyncClient({ local: phone, url: `${server.url}/sync/${PHR_DATABASE}`, auth: { username: 'asha', password: 'asha-pass' } });
  const first = await sync.sync();
  const prices = (await phone.allDocs({ include_docs: true })).rows.map((r) => r.doc).filter((d) => d?.['type'] === 'pricings');
  log(`2. the phone synced ${first.pull.downloaded} documents: ${prices.length} lab-test prices, 0 keys`);

  // 3. Offline: she adds a test to her cart. Nothing leaves the phone yet.
  const cheapest = prices.sort((a, b) => Number(a?.['price']) - Number(b?.['price']))[0];
  const cartId = phrDocId('carts', `asha-${now}`);
  await phone.put({ _id: cartId, type: 'carts', owner: 'asha', createdAt: now, lines: [{ itemId: String(cheapest?._id), name: String(cheapest?.['testName']), quantity: 1, unitPrice: Number(cheapest?.['price']) }] });
  log(`3. offline, "${String(cheapest?.['testName'])}" was added to the cart on the phone`);

  // 4. Back online: the cart reaches the server.
  const pushed = await sync.sync();
  log(`4. back online: ${pushed.push.written} document pushed (the cart)`);

  // 5. The server's order service turns the cart into an order (only the server writes orders).
  const cart = await couch('GET', `${PHR_DATABASE}/${encodeURIComponent(cartId)}`);
  const lines = cart['lines'] as Array<{ unitPrice: number; quantity: number }>;
  const orderId = phrDocId('neworders', `asha-${now}`);
  const placed = await couch('PUT', `${PHR_DATABASE}/${encodeURIComponent(orderId)}`, {
    type: 'neworders', owner: 'asha', cartId, lines, status: 'placed', total: lines.reduce((n, l) => n + l.unitPrice * l.quantity, 0), createdAt: Date.now(),
  });
  const order = await couch('GET', `${PHR_DATABASE}/${encodeURIComponent(orderId)}`);
  await couch('PUT', `${PHR_DATABASE}/${encodeURIComponent(orderId)}`, { ...order, _rev: placed['rev'], status: 'confirmed', updatedAt: Date.now() });
  log(`5. the server placed order ${orderId} for ${String(order['total'])} INR and confirmed it`);

  // 6. The next sync brings the order, with its status, to the phone.
  await sync.sync();
  const onPhone = await phone.get(orderId);
  log(`6. on the phone: order ${orderId} is ${String(onPhone['status'])}`);
} finally {
  // The gateway follows the database's changes once a client reads its feed: stop it before the server.
  mounted.gateway?.close();
  await server.close();
}
log('done');
