/**
 * The indexes behind {@link DocSource.findByShortcodes} and {@link DocSource.findContacts}: views of
 * contacts, in a design doc of its own so installing it never touches an app's design docs. Design
 * docs are never pushed by fieldsync's sync, so a device can hold this one locally.
 */
import type { ContactLookup, StoredDoc } from './types.js';

/** Id of the design doc holding the shortcode view. */
export const SHORTCODE_DESIGN_ID = '_design/fieldsync-lineage';

/** View path for `query()`. */
export const SHORTCODE_VIEW = 'fieldsync-lineage/contacts_by_shortcode';

// Runs inside CouchDB/PouchDB, so it is kept as ES5 source text: a bundler or minifier never changes it.
// Like cht-core's contacts_by_reference, it indexes String(value) of any truthy shortcode, so a
// contact whose patient_id was stored as a number is found by the string a report holds.
const CONTACTS_BY_SHORTCODE = `function (doc) {
  var types = ['contact', 'person', 'clinic', 'health_center', 'health_centre', 'district_hospital', 'national_office'];
  if (types.indexOf(doc.type) === -1) return;
  if (doc.patient_id) emit(String(doc.patient_id), null);
  if (doc.place_id) emit(String(doc.place_id), null);
}`;

/** View path of the lineage view, for `query()`. */
export const LINEAGE_VIEW = 'fieldsync-lineage/contacts_by_ref';

// Contacts by _id and by String(shortcode), in one key space (a reader tells which from the document).
// Each key has a row for the contact and, when it names a primary contact, a row whose value is
// {_id: primary}: with include_docs, CouchDB and PouchDB return the primary contact's document in
// that row, so one query reads a place and its primary contact. Only contacts are indexed (a few rows
// each), never reports. Plain string keys: PouchDB reads a `keys` query one key at a time, and
// string keys are the cheapest to encode.
const CONTACTS_BY_REF = `function (doc) {
  var types = ['contact', 'person', 'clinic', 'health_center', 'health_centre', 'district_hospital', 'national_office'];
  if (types.indexOf(doc.type) === -1) return;
  var ref = doc.contact;
  var primary = typeof ref === 'string' ? ref : (ref && typeof ref === 'object' ? ref._id : null);
  var keys = [doc._id];
  if (doc.patient_id) keys.push(String(doc.patient_id));
  if (doc.place_id) keys.push(String(doc.place_id));
  for (var i = 0; i < keys.length; i += 1) {
    emit(keys[i], null);
    if (typeof primary === 'string' && primary) emit(keys[i], { _id: primary });
  }
}`;

/** The design doc to install (idempotent: the same content every time). */
export function shortcodeDesignDoc(): { _id: string; views: Record<string, { map: string }> } {
  return {
    _id: SHORTCODE_DESIGN_ID,
    views: { contacts_by_shortcode: { map: CONTACTS_BY_SHORTCODE }, contacts_by_ref: { map: CONTACTS_BY_REF } },
  };
}

/** The keys of one lineage-view query: every id and every shortcode, once. */
export function lineageKeys(ids: readonly string[], codes: readonly string[]): string[] {
  return [...new Set([...ids, ...codes])];
}

/** True when `key` is a shortcode of `doc`, as the lineage view indexes it. */
function isShortcodeOf(doc: StoredDoc, key: string): boolean {
  return [doc['patient_id'], doc['place_id']].some((code) => Boolean(code) && String(code) === key);
}

/** Reads rows of the lineage view (with include_docs) for `codes` into a {@link ContactLookup}. */
export function toContactLookup(rows: ReadonlyArray<{ key: unknown; value?: unknown; doc?: unknown }>, codes: readonly string[]): ContactLookup {
  const asked = new Set(codes);
  const found = new Map<string, StoredDoc>();
  const byShortcode = new Map<string, StoredDoc>();
  for (const row of rows) {
    if (!row.doc || typeof row.doc !== 'object') continue; // a primary contact that is missing or deleted
    const doc = row.doc as StoredDoc;
    found.set(doc._id, doc);
    const key = row.key;
    // Rows of one key come sorted by the emitting contact's id, so the first one wins, as in the shortcode view.
    const own = row.value === null || row.value === undefined;
    if (own && typeof key === 'string' && asked.has(key) && !byShortcode.has(key) && isShortcodeOf(doc, key)) byShortcode.set(key, doc);
  }
  return { found, byShortcode };
}

/**
 * Hydrating a report that names its patient or place by shortcode needs the shortcode view, and the
 * database does not have it: install it once with `installShortcodeIndex(db)` (PouchDB) or
 * `installShortcodeIndexNano(db)` (nano).
 */
export class ShortcodeIndexMissingError extends Error {
  override readonly name = 'ShortcodeIndexMissingError';
  /** The design doc to install. */
  readonly designDoc = SHORTCODE_DESIGN_ID;
  constructor() {
    super(`the database has no shortcode index (${SHORTCODE_DESIGN_ID}), which hydrate needs for reports that name a patient or place by shortcode: call installShortcodeIndex(db) once (installShortcodeIndexNano for nano)`);
  }
}

/** True for "the view is not there": a 404 (no such design doc, or no such view in it). */
export function isNotFound(err: unknown): boolean {
  const status = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return status === 404;
}

/** Turns "the view is not there" (a 404 on the shortcode view) into {@link ShortcodeIndexMissingError}. */
export function missingIndexError(err: unknown): unknown {
  return isNotFound(err) ? new ShortcodeIndexMissingError() : err;
}
