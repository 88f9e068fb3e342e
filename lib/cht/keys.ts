/**
 * Where a CHT document is filed for replication: pure functions shared by the gateway, the client and
 * the `replication_keys` view (`design.ts` holds the same logic as CouchDB view source, and a test
 * checks the two agree on every fixture and on generated documents).
 */
import { USER_ID_PREFIX } from '../codecs/ids.js';
import { isContact } from '../lineage/shapes.js';
import type { AnyDoc } from '../sync/rules.js';

/** Key under which every signed-in user reads a document (forms, translations, settings...). */
export const PUBLIC_KEY = '_all';

/** Key of reports nobody can be matched to (an SMS from an unknown number, no subject). */
export const UNASSIGNED_KEY = '_unassigned';

/**
 * Prefix of the key a private report is filed under (followed by the report's id): who may read it
 * depends on the reader's own place, so the rules grant it per report (see {@link privateFiling}).
 */
export const PRIVATE_KEY_PREFIX = '_private:';


/** Which documents every user may read and only admins may write. */
export interface PublicDocs {
  /** Types whose documents are public, e.g. `form`, `translations`. */
  readonly types: readonly string[];
  /** Singleton ids that are public, e.g. `settings`, `resources`. */
  readonly ids: readonly string[];
}

/** The CHT defaults for {@link PublicDocs}. */
export const DEFAULT_PUBLIC_DOCS: PublicDocs = {
  types: ['form', 'translations', 'ui-extension'],
  ids: ['resources', 'branding', 'partners', 'settings', 'privacy-policies', 'zscore-charts', 'extension-libs', 'service-worker-meta'],
};

/** The `_users`/user-settings id of a CouchDB user name. */
export function settingsIdOf(name: string): string {
  return `${USER_ID_PREFIX}${name}`;
}

function field(record: unknown, key: string): unknown {
  return typeof record === 'object' && record !== null ? (record as Record<string, unknown>)[key] : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** CHT's truthiness for report flags: `true` or the string `'true'`. */
function flag(value: unknown): boolean {
  return value === true || value === 'true';
}

/** True for a document only admins write and everybody reads. */
export function isPublicDoc(doc: AnyDoc, publicDocs: PublicDocs): boolean {
  return publicDocs.ids.includes(doc._id) || (typeof doc.type === 'string' && publicDocs.types.includes(doc.type));
}

/**
 * The subject of a report: the patient (shortcode or uuid) or place it is about, else its author.
 * Reports whose patient could not be found are filed under their author, as CHT does.
 */
export function replicationSubject(doc: AnyDoc): string | undefined {
  const fields = doc.fields;
  const author = nonEmptyString(field(doc.contact, '_id'));
  const errors = Array.isArray(doc.errors) ? doc.errors : [];
  const unregistered = errors.some((e) => ['registration_not_found', 'invalid_patient_id'].includes(String(field(e, 'code'))));
  if (unregistered && author) return author;
  return nonEmptyString(doc.patient_id) ?? nonEmptyString(field(fields, 'patient_id'))
    ?? nonEmptyString(doc.place_id) ?? nonEmptyString(field(fields, 'place_id'))
    ?? nonEmptyString(doc.patient_uuid) ?? nonEmptyString(field(fields, 'patient_uuid'))
    ?? author;
}

/** Ids along a report's `contact` chain (its author, then the author's ancestors), at most 100 levels, each once. */
export function authorChainIds(doc: AnyDoc): readonly string[] {
  const ids: string[] = [];
  let node: unknown = doc.contact;
  for (let level = 0; level < 100 && typeof node === 'object' && node !== null; level++) {
    const id = nonEmptyString(field(node, '_id'));
    if (id && !ids.includes(id)) ids.push(id);
    node = field(node, 'parent');
  }
  return ids;
}

/**
 * The keys a report is filed under before privacy: its subject (or {@link UNASSIGNED_KEY}) and, when
 * `fields.needs_signoff` is set, also its author and every ancestor of the author, as CHT does, so the
 * author's supervisors see it.
 */
function reportKeys(doc: AnyDoc): string[] {
  const subject = replicationSubject(doc) ?? UNASSIGNED_KEY;
  const keys = [subject];
  if (flag(field(doc.fields, 'needs_signoff'))) {
    for (const id of authorChainIds(doc)) if (!keys.includes(id)) keys.push(id);
  }
  return keys;
}

/** How a private report is filed: the keys it would have, its subject and its author. */
export interface PrivateFiling {
  readonly keys: readonly string[];
  readonly subject: string;
  readonly submitter: string;
}

/**
 * A private report (`fields.private`, with a form and an author, as CHT requires) is hidden from a user
 * whose own facility or contact is its subject unless that user sees its author ("users don't see
 * private reports submitted by their boss about them"); others read it as any report. Undefined for
 * every other document.
 */
export function privateFiling(doc: AnyDoc): PrivateFiling | undefined {
  if (doc.type !== 'data_record' || !flag(field(doc.fields, 'private')) || !doc.form) return undefined;
  const submitter = nonEmptyString(field(doc.contact, '_id'));
  if (!submitter) return undefined;
  const keys = reportKeys(doc);
  return { keys, subject: keys[0] ?? UNASSIGNED_KEY, submitter };
}

/** The key a private report is filed under: the rules grant it per reader. */
export function privateKeyOf(id: string): string {
  return `${PRIVATE_KEY_PREFIX}${id}`;
}

/**
 * The replication keys of a CHT document; a user reads it when one of them is among their keys.
 * Design docs, unknown types, user-settings away from a user's id and anything else at one have none:
 * they reach no device through the gateway.
 */
export function chtReplicationKeys(doc: AnyDoc, publicDocs: PublicDocs = DEFAULT_PUBLIC_DOCS): readonly string[] {
  if (doc._id.startsWith('_design/')) return [];
  // At a user's id only their user-settings sync: a look-alike of another type reaches nobody.
  if (doc._id.startsWith(USER_ID_PREFIX)) return doc.type === 'user-settings' ? [doc._id] : [];
  if (isPublicDoc(doc, publicDocs)) return [PUBLIC_KEY];
  if (isContact(doc)) return [doc._id];
  switch (doc.type) {
    case 'data_record':
      return privateFiling(doc) ? [privateKeyOf(doc._id)] : reportKeys(doc);
    case 'task':
      return typeof doc.user === 'string' ? [doc.user] : [];
    case 'target':
      return typeof doc.owner === 'string' ? [doc.owner] : [];
    default:
      return [];
  }
}

/**
 * Keys of the users whose access a change of `doc` may alter beyond its own keys: a contact's ancestors (a
 * contact moved under a facility becomes visible to its users, with its shortcode), and a private report's
 * subject keys and author (who may read it depends on both).
 */
export function chtRoutingKeys(doc: AnyDoc): readonly string[] {
  if (isContact(doc)) return parentIds(doc);
  const filing = privateFiling(doc);
  return filing ? [...filing.keys, filing.submitter] : [];
}

/**
 * True when a user's context may read this version of a document: a user-settings id (the user's own
 * settings), a contact (`contacts_by_depth`) or a report flagged private (`private_reports`). Every other
 * document (reports, tasks, targets, public docs) changes what users see only through its own keys.
 */
export function chtReadByContexts(doc: AnyDoc): boolean {
  if (doc._id.startsWith(USER_ID_PREFIX) || isContact(doc)) return true;
  return doc.type === 'data_record' && flag(field(doc.fields, 'private'));
}

/** The ids of a contact's stored (minified) parent chain, nearest first; stops at a cycle. */
export function parentIds(doc: AnyDoc): readonly string[] {
  const ids: string[] = [];
  let parent = doc.parent;
  while (ids.length < 100) {
    const id = nonEmptyString(field(parent, '_id'));
    if (!id || ids.includes(id) || id === doc._id) break;
    ids.push(id);
    parent = field(parent, 'parent');
  }
  return ids;
}

/** A contact's shortcode (`patient_id` of a person, `place_id` of a place), if any. */
export function shortcodeOf(doc: AnyDoc): string | undefined {
  return nonEmptyString(doc.patient_id) ?? nonEmptyString(doc.place_id);
}

/**
 * True when a shortcode may be a read key: keys starting with `_` are the rules' own (`_all`,
 * `_private:...`) and `org.couchdb.user:` keys file user-settings and tasks, so a contact claiming one
 * of those never grants it.
 */
export function isSafeShortcode(code: string): boolean {
  return code !== '' && !code.startsWith('_') && !code.startsWith(USER_ID_PREFIX);
}
