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
