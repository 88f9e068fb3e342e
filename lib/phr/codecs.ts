/**
 * Codecs of the PHR collections. Every document is `{_id, type: <collection>, ...}` with optional
 * `createdAt`/`updatedAt` (ms or an ISO date-time string: data migrated from other stores carries
 * strings). Owned documents name their owner (the app user) in `owner`. Each collection adds the
 * fields its description names; unknown fields are kept (classic io-ts `t.type`/`t.partial` only).
 */
import * as t from 'io-ts';
import { StoredFields, Timestamp } from '../codecs/base.js';
import { DocId } from '../codecs/ids.js';

/** An ISO 8601 date-time string (`2026-11-25T10:00:00Z`, offset or fraction allowed). */
export const IsoDateTime = new t.Type<string, string, unknown>(
  'IsoDateTime (ISO 8601 string)',
  (u): u is string => typeof u === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(u) && !Number.isNaN(Date.parse(u)),
  (u, c) => (typeof u === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(u) && !Number.isNaN(Date.parse(u)) ? t.success(u) : t.failure(u, c)),
  (a) => a,
);

/** When something happened: ms since the epoch, or an ISO date-time. */
export const PhrTime = t.union([Timestamp, IsoDateTime], 'PhrTime (ms number or ISO date-time)');

const NonEmpty = new t.Type<string, string, unknown>('NonEmptyString', (u): u is string => typeof u === 'string' && u.length > 0,
  (u, c) => (typeof u === 'string' && u.length > 0 ? t.success(u) : t.failure(u, c)), (a) => a);
const NonNegative = new t.Type<number, number, unknown>('NonNegativeNumber', (u): u is number => typeof u === 'number' && Number.isFinite(u) && u >= 0,
  (u, c) => (typeof u === 'number' && Number.isFinite(u) && u >= 0 ? t.success(u) : t.failure(u, c)), (a) => a);
const Quantity = new t.Type<number, number, unknown>('Quantity (positive integer)', (u): u is number => Number.isInteger(u) && (u as number) > 0,
  (u, c) => (Number.isInteger(u) && (u as number) > 0 ? t.success(u as number) : t.failure(u, c)), (a) => a);

/** What every PHR document has. */
export function phrBase(collection: string): t.Type<{ _id: string; type: string; createdAt?: string | number; updatedAt?: string | number }, unknown, unknown> {
  return t.intersection([
    t.type({ _id: DocId, type: t.literal(collection) }),
    t.partial({ createdAt: PhrTime, updatedAt: PhrTime }),
    StoredFields,
  ], `PhrDoc<${collection}>`) as unknown as t.Type<{ _id: string; type: string; createdAt?: string | number; updatedAt?: string | number }, unknown, unknown>;
}

/** One line of a cart or an order. */
export const OrderLine = t.intersection([
  t.type({ itemId: NonEmpty, quantity: Quantity }),
  t.partial({ name: t.string, unitPrice: NonNegative, kind: t.string }),
], 'OrderLine');
/** One line of a cart or an order. */
export type OrderLine = t.TypeOf<typeof OrderLine>;

/** Fields named by each collection's description, beyond the base and the owner. */
export const COLLECTION_FIELDS: Readonly<Record<string, t.Mixed>> = {
  appusers: t.intersection([t.type({ phone: NonEmpty }), t.partial({ countryCode: t.string, lastLoginAt: PhrTime })]),
  carts: t.type({ lines: t.array(OrderLine) }),
  newcarts: t.type({ lines: t.array(OrderLine) }),
  providercarts: t.partial({ lines: t.array(OrderLine), providerId: t.string }),
  neworders: t.intersection([t.type({ lines: t.array(OrderLine), status: NonEmpty }), t.partial({ total: NonNegative, cartId: t.string })]),
  providerorders: t.partial({ lines: t.array(OrderLine), status: t.string, providerId: t.string }),
  chatmessages: t.intersection([t.type({ text: t.string }), t.partial({ role: t.string })]),
  coupons: t.intersection([t.type({ code: NonEmpty }), t.partial({ discountPercent: NonNegative, discountAmount: NonNegative, validUntil: PhrTime })]),
  deliveryaddresses: t.intersection([t.type({ line1: NonEmpty }), t.partial({ line2: t.string, city: t.string, pincode: t.string, isDefault: t.boolean })]),
  fhirdocumenpoints: t.type({ points: NonNegative }),
  generateverifyotps: t.intersection([t.type({ expiresAt: PhrTime }), t.partial({ phone: t.string, attempts: NonNegative, verified: t.boolean })]),
  hiuconsents: t.intersection([t.type({ status: NonEmpty }), t.partial({ consentId: t.string, purpose: t.string, hiTypes: t.array(t.string) })]),
  hiuhealthdatas: t.partial({ consentId: t.string, hipId: t.string, entries: t.array(t.unknown) }),
  hiukeys: t.partial({ publicKey: t.string, privateKey: t.string, nonce: t.string, expiresAt: PhrTime }),
  pricings: t.intersection([t.type({ testName: NonEmpty, price: NonNegative }), t.partial({ currency: t.string })]),
  rewardbalances: t.type({ points: NonNegative }),
  rewards: t.intersection([t.type({ points: t.number }), t.partial({ reason: t.string })]),
  rewardconfigs: t.partial({ action: t.string, points: t.number }),
  notifications: t.intersection([t.type({ title: t.string }), t.partial({ body: t.string, read: t.boolean })]),
  usersubscriptions: t.intersection([t.type({ plan: NonEmpty }), t.partial({ status: t.string, validUntil: PhrTime })]),
  accesstokens: t.partial({ token: t.string, expiresAt: PhrTime }),
  abdmtxnidstorages: t.partial({ txnId: t.string }),
  linktokenphrs: t.partial({ linkToken: t.string, expiresAt: PhrTime }),
  fcmtokens: t.partial({ token: t.string }),
};

/** The codec of one collection: base, the owner field for owned collections, and its own fields. */
export function collectionCodec(collection: string, ownerField: string | undefined): t.Type<Record<string, unknown>, unknown, unknown> {
  const parts: t.Mixed[] = [phrBase(collection)];
  if (ownerField) parts.push(t.type({ [ownerField]: NonEmpty }));
  const own = COLLECTION_FIELDS[collection];
  if (own) parts.push(own);
  const [first, ...rest] = parts as [t.Mixed, ...t.Mixed[]];
  const codec = rest.reduce<t.Mixed>((all, part) => t.intersection([all, part], `PhrDoc<${collection}>`), first);
  return codec;
}
