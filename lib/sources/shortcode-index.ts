/**
 * The index behind {@link DocSource.findByShortcodes}: a view of contacts by shortcode, in a design
 * doc of its own so installing it never touches an app's design docs. Design docs are never pushed by
 * fieldsync's sync, so a device can hold this one locally.
 */

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

/** The design doc to install (idempotent: the same content every time). */
export function shortcodeDesignDoc(): { _id: string; views: Record<string, { map: string }> } {
  return { _id: SHORTCODE_DESIGN_ID, views: { contacts_by_shortcode: { map: CONTACTS_BY_SHORTCODE } } };
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

/** Turns "the view is not there" (a 404 on the shortcode view) into {@link ShortcodeIndexMissingError}. */
export function missingIndexError(err: unknown): unknown {
  const status = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return status === 404 ? new ShortcodeIndexMissingError() : err;
}
