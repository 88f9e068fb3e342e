/**
 * A deterministic PHR data set for `fieldsync seed` and the tests: app users with documents in every
 * collection (the server-only ones included, so a sync test can prove they never leave), and the
 * catalogue. Pure: the same users give the same documents.
 */
import { PHR_CATALOGUE, phrDocId } from '../phr/index.js';

const AT = '2026-11-20T10:00:00Z';

/** A valid document of `collection`, owned by `owner` when the collection is owned. */
export function sampleDoc(collection: string, owner: string, n: number): Record<string, unknown> & { _id: string } {
  const info = PHR_CATALOGUE.get(collection);
  if (!info) throw new Error(`no collection ${collection}`);
  const base: Record<string, unknown> & { _id: string } = { _id: phrDocId(collection, `${owner}-${n}`), type: collection, createdAt: AT, updatedAt: Date.UTC(2026, 10, 20) };
  if (info.ownerField) base[info.ownerField] = owner;
  const line = { itemId: `sku-${n}`, name: 'CBC test', quantity: 1 + (n % 3), unitPrice: 250 };
  const fields: Record<string, Record<string, unknown>> = {
    appusers: { phone: `+9198${String(n).padStart(8, '0')}` },
    carts: { lines: [line] }, newcarts: { lines: [line] }, providercarts: { lines: [line] },
    neworders: { lines: [line], status: 'placed', total: 250 }, providerorders: { status: 'placed' },
    chatmessages: { text: 'hello', role: 'user' }, coupons: { code: `SAVE${n}`, discountPercent: 10 },
    deliveryaddresses: { line1: '1 Main Road', city: 'Pune', pincode: '411001' }, fhirdocumenpoints: { points: 5 },
    generateverifyotps: { expiresAt: AT, phone: '+91000', attempts: 0 }, hiuconsents: { status: 'REQUESTED', purpose: 'CAREMGT' },
    hiukeys: { privateKey: 'secret-key', expiresAt: AT }, pricings: { testName: 'CBC', price: 250, currency: 'INR' },
    rewardbalances: { points: 120 }, rewards: { points: 20, reason: 'upload' }, notifications: { title: 'Order placed', read: false },
    usersubscriptions: { plan: 'gold', status: 'active' }, accesstokens: { token: 'secret-token', expiresAt: AT },
    linktokenphrs: { linkToken: 'secret-link' }, fcmtokens: { token: 'fcm-secret' }, abdmtxnidstorages: { txnId: 'txn-1' },
  };
  return { ...base, ...(fields[collection] ?? {}) };
}

/** Every collection's documents for two users (server-only ones included), and one of each catalogue collection. */
export function phrDataSet(users: readonly string[]): Array<Record<string, unknown> & { _id: string }> {
  const docs: Array<Record<string, unknown> & { _id: string }> = [];
  for (const info of PHR_CATALOGUE.values()) {
    if (info.policy === 'catalogue') { docs.push(sampleDoc(info.name, 'shared', 1), sampleDoc(info.name, 'shared', 2)); continue; }
    for (const user of users) docs.push(sampleDoc(info.name, user, 1), sampleDoc(info.name, user, 2));
  }
  return docs;
}
