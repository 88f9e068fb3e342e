/**
 * Where a CHT document is filed for replication: pure functions shared by the gateway, the client and
 * the `replication_keys` view (`design.ts` holds the same logic as CouchDB view source, and a test
 * checks the two agree on every fixture).
 */
import { isContact } from '../lineage/shapes.js';
import type { AnyDoc } from '../sync/rules.js';

/** Key under which every signed-in user reads a document (forms, translations, settings...). */
export const PUBLIC_KEY = '_all';

/** Key of reports nobody can be matched to (an SMS from an unknown number, no subject). */
export const UNASSIGNED_KEY = '_unassigned';

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
  return `org.couchdb.user:${name}`;
}

function field(record: unknown, key: string): unknown {
  return typeof record === 'object' && record !== null ? (record as Record<string, unknown>)[key] : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
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

/**
 * The replication keys of a CHT document; a user reads it when one of them is among their keys.
 * Design docs and unknown types have none: they reach no device through the gateway.
 */
export function chtReplicationKeys(doc: AnyDoc, publicDocs: PublicDocs = DEFAULT_PUBLIC_DOCS): readonly string[] {
  if (doc._id.startsWith('_design/')) return [];
  if (isPublicDoc(doc, publicDocs)) return [PUBLIC_KEY];
  if (isContact(doc)) return [doc._id];
  switch (doc.type) {
    case 'data_record':
      return [replicationSubject(doc) ?? UNASSIGNED_KEY];
    case 'task':
      return typeof doc.user === 'string' ? [doc.user] : [];
    case 'target':
      return typeof doc.owner === 'string' ? [doc.owner] : [];
    case 'user-settings':
      return [doc._id];
    default:
      return [];
  }
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
