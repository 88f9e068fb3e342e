/**
 * What lineage needs to know about documents, structurally: which are contacts and which are
 * reports, the ids along a minified chain, a report's subjects. Documents are plain JSON here, so
 * lineage works on anything read from a database, valid or not.
 */

/** Contact `type`s: the configurable one and the legacy hard-coded ones (both spellings of the centre). */
export const CONTACT_TYPES: ReadonlySet<string> = new Set(['contact', 'person', 'clinic', 'health_center', 'health_centre', 'district_hospital', 'national_office']);

/** A plain JSON object. */
export type Json = Readonly<Record<string, unknown>>;

/** True for a non-null, non-array object. */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `doc` is a contact (place or person). */
export function isContact(doc: Json): boolean {
  return typeof doc['type'] === 'string' && CONTACT_TYPES.has(doc['type']);
}

/** True when `doc` is a report. */
export function isReport(doc: Json): boolean {
  return doc['type'] === 'data_record';
}

/** The id a reference names: an id string, or an object's `_id`. */
export function refId(ref: unknown): string | undefined {
  if (typeof ref === 'string' && ref.length > 0) return ref;
  if (isObject(ref) && typeof ref['_id'] === 'string') return ref['_id'];
  return undefined;
}

/** Ids along a minified chain, nearest first, stopping at the first level without an `_id`. */
export function chainIds(ref: unknown, limit: number): string[] {
  const ids: string[] = [];
  let current = ref;
  while (isObject(current) && typeof current['_id'] === 'string' && ids.length < limit) {
    ids.push(current['_id']);
    current = current['parent'];
  }
  return ids;
}

/** A report's subjects as stored: shortcodes or uuids naming its patient and its place. */
export interface ReportSubjects {
  /** A `patient_id` value: usually a shortcode, sometimes a uuid. */
  readonly patientCode?: string;
  readonly patientUuid?: string;
  /** A `place_id` value: a shortcode or a uuid. */
  readonly placeCode?: string;
}

function stringAt(doc: Json, key: string): string | undefined {
  const fields = isObject(doc['fields']) ? doc['fields'] : {};
  const value = fields[key] ?? doc[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Reads a report's subjects from `fields` first, then the top level, as the spec allows both. */
export function reportSubjects(report: Json): ReportSubjects {
  const patientCode = stringAt(report, 'patient_id');
  const patientUuid = stringAt(report, 'patient_uuid');
  const placeCode = stringAt(report, 'place_id');
  return {
    ...(patientCode ? { patientCode } : {}),
    ...(patientUuid ? { patientUuid } : {}),
    ...(placeCode ? { placeCode } : {}),
  };
}

/** `linked_docs` of a contact when it is a tag -> reference object (anything else is left alone). */
export function linkedDocs(doc: Json): Json | undefined {
  return isContact(doc) && isObject(doc['linked_docs']) ? doc['linked_docs'] : undefined;
}
