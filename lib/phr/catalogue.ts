/**
 * The PHR collections of `testingdb`, each with its description, sync policy and codec. The policy is
 * data: an app overrides it with {@link phrCatalogue}, and the rules, the design doc and the docs all
 * read it from here. Why each collection has its policy is written in docs/phr.md.
 */
import type * as t from 'io-ts';
import { collectionCodec } from './codecs.js';

/** How a collection syncs. */
export type SyncPolicy =
  /** Belongs to one app user: their devices pull it; they push it when `push` is set. */
  | 'owned'
  /** Shared reference data: every signed-in device pulls it, none writes it. */
  | 'catalogue'
  /** Secrets and protocol state: never leaves the server. */
  | 'server-only';

/** What fieldsync knows about one collection. */
export interface CollectionInfo {
  readonly name: string;
  readonly description: string;
  readonly policy: SyncPolicy;
  /** For owned collections: whether the owner's device may write it. */
  readonly push: boolean;
  /** For owned collections: the field naming the owner (`owner`). */
  readonly ownerField?: string;
  readonly codec: t.Type<Record<string, unknown>, unknown, unknown>;
}

/** The default database name of the PHR app, in every environment. */
export const PHR_DATABASE = 'testingdb';

/** Collections shared with the website database: their codecs are reusable under another database name. */
export const COMMON_COLLECTIONS = ['abdmtxnidstorages', 'accesstokens'] as const;

type Row = readonly [name: string, description: string, policy: SyncPolicy, push: boolean];

// The spec's 35 collections, in its order: [name, description, policy, owner may push].
const ROWS: readonly Row[] = [
  ['abdmtxnidstorages', 'For storing the txn IDs used in ABDM flows', 'server-only', false],
  ['accesstokens', 'Store ABDM session tokens', 'server-only', false],
  ['appusers', "Store the users' login data (phone number, etc.)", 'owned', false],
  ['carts', 'Store user carts (once medicine or lab tests are added)', 'owned', true],
  ['chatmessages', 'Store AI chat messages', 'owned', true],
  ['coupons', 'Store coupons details', 'catalogue', false],
  ['deliveryaddresses', 'Store user delivery addresses', 'owned', true],
  ['discoverlinkingdatastorages', 'Store data used in ABDM discovery flows', 'server-only', false],
  ['fcmtokens', 'Stores used FCM tokens for Firebase notifications', 'server-only', false],
  ['fhirdocumenpoints', 'Store points when user uploads any documents', 'owned', false],
  ['generateverifyotps', 'Store info related to OTPs', 'server-only', false],
  ['healthprofile', 'Store user health profile', 'owned', true],
  ['hiuconsents', 'Store consents which PHR initiates', 'owned', false],
  ['hiuhealthdatas', 'Store user health data received from HIP', 'owned', false],
  ['hiukeys', 'Store encryption/decryption keys', 'server-only', false],
  ['linktokenphrs', 'Store user linking token used in ABDM record linking', 'server-only', false],
  ['myhealths', 'Store user complete health data fetched from Health Connect/Apple Kit', 'owned', true],
  ['newcarts', 'Store user-specific carts', 'owned', true],
  ['neworders', 'Store user-specific new orders', 'owned', false],
  ['notifications', 'Store user-specific notifications', 'owned', true],
  ['pricings', 'Store lab test pricing', 'catalogue', false],
  ['providercarts', 'Store cart data for providers', 'server-only', false],
  ['providerorders', 'Store order data for providers', 'server-only', false],
  ['rewardbalances', 'Store reward points for each user', 'owned', false],
  ['rewardconfigs', 'Store reward configuration', 'catalogue', false],
  ['rewards', 'Store reward transactions', 'owned', false],
  ['rewardsettings', 'Store reward settings', 'catalogue', false],
  ['rewardsfaqs', 'Store reward FAQs', 'catalogue', false],
  ['storescanshares', 'Scan and share data', 'owned', true],
  ['userautoapprovals', 'Store auto approvals which user creates while creating consent', 'owned', true],
  ['userbooklabtests', 'Store booked lab test data', 'owned', true],
  ['userprofiles', 'Store all user profiles who log in to app', 'owned', true],
  ['usersubscriptions', 'Store user subscription data', 'owned', false],
  ['useruploadrecordphrs', 'Store uploaded health data by user', 'owned', true],
  ['uservitalassessments', 'Store vital assessment shared by user', 'owned', true],
];

/** A catalogue: collection name to what fieldsync knows about it. */
export type PhrCatalogue = ReadonlyMap<string, CollectionInfo>;

/** An app's change to one collection's policy. */
export interface PolicyOverride {
  readonly policy?: SyncPolicy;
  readonly push?: boolean;
  readonly ownerField?: string;
}

function info(name: string, description: string, policy: SyncPolicy, push: boolean, ownerField = 'owner'): CollectionInfo {
  const owner = policy === 'owned' ? ownerField : undefined;
  return {
    name, description, policy, push: policy === 'owned' && push,
    ...(owner ? { ownerField: owner } : {}),
    codec: collectionCodec(name, owner),
  };
}

/** The catalogue, with an app's overrides applied (a new map; nothing shared is changed). */
export function phrCatalogue(overrides: Readonly<Record<string, PolicyOverride>> = {}): PhrCatalogue {
  return new Map(ROWS.map(([name, description, policy, push]) => {
    const o = overrides[name] ?? {};
    return [name, info(name, description, o.policy ?? policy, o.push ?? push, o.ownerField)];
  }));
}

/** The default catalogue. */
export const PHR_CATALOGUE: PhrCatalogue = phrCatalogue();

/** A new document id, `<collection>:<uuid>`; pass the uuid to stay pure, or get a random one. */
export function phrDocId(collection: string, uuid: string = globalThis.crypto.randomUUID()): string {
  return `${collection}:${uuid}`;
}
