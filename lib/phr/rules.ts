/**
 * PHR access rules for the sync gateway: an owned document is filed under its owner, catalogue
 * documents under one shared key, server-only collections under none (no device can list or fetch
 * them, whatever it asks). The owner field holds the app user id, which is the CouchDB user name of
 * that app user (or what `ownerOf` maps a CouchDB user to).
 */
import { isLeft } from '../codecs/either.js';
import { decodeWith, formatProblems } from '../codecs/errors.js';
import type { AccessRules, AnyDoc, Forbidden, SyncUser } from '../sync/rules.js';
import { PHR_CATALOGUE } from './catalogue.js';
import type { PhrCatalogue } from './catalogue.js';
import { phrDesignDoc, PHR_DESIGN_ID } from './design.js';

/** Options of {@link phrAccessRules}. */
export interface PhrRulesOptions {
  /** The app user id of a CouchDB user; its name by default. */
  readonly ownerOf?: (user: SyncUser) => string;
}

/** What the PHR rules know about a user: their app user id. */
export interface PhrContext {
  readonly owner: string;
}

/** Key of the catalogue collections. */
export const CATALOGUE_KEY = 'phr:catalogue';

/** Key of one app user's documents. */
export function ownerKey(owner: string): string {
  return `phr:owner:${owner}`;
}

/** The replication keys of a PHR document under `catalogue`. */
export function phrReplicationKeys(doc: AnyDoc, catalogue: PhrCatalogue): readonly string[] {
  if (doc._id.startsWith('_design/')) return [];
  const collection = typeof doc.type === 'string' ? catalogue.get(doc.type) : undefined;
  if (!collection || collection.policy === 'server-only') return [];
  if (collection.policy === 'catalogue') return [CATALOGUE_KEY];
  const owner = collection.ownerField ? doc[collection.ownerField] : undefined;
  return typeof owner === 'string' && owner !== '' ? [ownerKey(owner)] : [];
}

function forbid(doc: AnyDoc, reason: string): Forbidden {
  return { kind: 'forbidden', docId: doc._id, reason };
}

function checkWrite(doc: AnyDoc, stored: AnyDoc | undefined, context: PhrContext, catalogue: PhrCatalogue): Forbidden | undefined {
  if (doc._id.startsWith('_design/')) return forbid(doc, 'design documents are written by admins');
  if (doc._id.startsWith('_')) return forbid(doc, 'ids starting with _ are reserved');
  const type = doc._deleted && stored ? stored.type : doc.type;
  const collection = typeof type === 'string' ? catalogue.get(type) : undefined;
  if (!collection) return forbid(doc, `${JSON.stringify(type)} is not a PHR collection`);
  if (collection.policy === 'server-only') return forbid(doc, `${collection.name} never leaves the server and is never written by a device`);
  if (collection.policy === 'catalogue') return forbid(doc, `${collection.name} is shared reference data written by the server only`);
  if (!collection.push) return forbid(doc, `${collection.name} is written by the server only`);
  const field = collection.ownerField ?? 'owner';
  if (stored) {
    if (stored.type !== collection.name) return forbid(doc, 'a document cannot move to another collection');
    if (stored[field] !== context.owner) return forbid(doc, `the stored document belongs to someone else`);
  }
  if (doc._deleted && stored) return undefined;
  if (doc[field] !== context.owner) return forbid(doc, `${field} must be your own app user id`);
  const decoded = decodeWith(collection.codec, doc);
  if (isLeft(decoded)) return forbid(doc, `not a valid ${collection.name} document: ${formatProblems(decoded.left).replace(/\n/g, '; ')}`);
  return undefined;
}

/** The PHR access rules for a catalogue (the default one when omitted). */
export function phrAccessRules(catalogue: PhrCatalogue = PHR_CATALOGUE, options: PhrRulesOptions = {}): AccessRules<PhrContext, undefined> {
  const ownerOf = options.ownerOf ?? ((user: SyncUser) => user.name);
  return {
    designDocId: PHR_DESIGN_ID,
    designDoc: () => phrDesignDoc(catalogue),
    replicationKeys: (doc) => phrReplicationKeys(doc, catalogue),
    context: (user) => Promise.resolve({ owner: ownerOf(user) }),
    readableKeys: (context) => [CATALOGUE_KEY, ownerKey(context.owner)],
    // Each PHR document is judged on its own: nothing to look up, and no document leans on another.
    writeFacts: () => Promise.resolve(undefined),
    checkWrites: (docs, stored, context) => docs.map((doc) => checkWrite(doc, stored.get(doc._id), context, catalogue)),
  };
}
