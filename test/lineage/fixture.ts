/** A small stored hierarchy for lineage tests: district > health centre > household > people, and reports. */
import type { StoredDoc } from '../../lib/sources/types.js';

const d1 = { _id: 'd1' };
const hc1 = { _id: 'hc1', parent: d1 };
const cl1 = { _id: 'cl1', parent: hc1 };

/** The stored (minified) documents. */
export const STORED: readonly StoredDoc[] = [
  { _id: 'd1', type: 'district_hospital', name: 'District', contact: { _id: 'chv-d', parent: d1 }, reported_date: 1 },
  { _id: 'hc1', type: 'health_center', name: 'Centre', parent: d1, contact: { _id: 'nurse', parent: hc1 }, reported_date: 1 },
  { _id: 'cl1', type: 'clinic', name: 'Household', place_id: '5001', parent: hc1, contact: { _id: 'head', parent: cl1 }, linked_docs: { chw: 'nurse', elder: { _id: 'chv-d' } }, reported_date: 1 },
  { _id: 'chv-d', type: 'person', name: 'District CHV', parent: d1, reported_date: 1 },
  { _id: 'nurse', type: 'person', name: 'Nurse', parent: hc1, reported_date: 1 },
  { _id: 'head', type: 'person', name: 'Head', patient_id: '1001', parent: cl1, reported_date: 1 },
  { _id: 'kid', type: 'person', name: 'Kid', patient_id: '1002', parent: cl1, reported_date: 1 },
  { _id: 'r-shortcode', type: 'data_record', form: 'visit', contact: { _id: 'nurse', parent: hc1 }, fields: { patient_id: '1002' }, reported_date: 2 },
  { _id: 'r-uuid-place', type: 'data_record', form: 'visit', contact: { _id: 'nurse', parent: hc1 }, patient_uuid: 'head', fields: { place_id: '5001' }, reported_date: 2 },
  { _id: 'r-sms', type: 'data_record', form: 'P', sms_message: { message: 'P 1001', from: '+1' }, patient_id: '1001', reported_date: 3 },
];

/** A stored doc by id. */
export function stored(id: string): StoredDoc {
  const doc = STORED.find((d) => d._id === id);
  if (!doc) throw new Error(`no fixture ${id}`);
  return doc;
}
