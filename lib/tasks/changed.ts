/**
 * Which requesters to refresh after documents changed, from the documents themselves: what a sync
 * pull wrote (its `touched` ids) or a local changes feed. cht-core's rules engine does the same
 * with the documents its replication downloads: a contact marks itself, a report marks its
 * subject, a task document its requester. No fingerprinting of every contact is needed.
 */
import type { ContactId } from '../codecs/index.js';
import { isContact, isReport, reportSubjects } from '../lineage/shapes.js';

/** A changed document as far as this cares. */
export interface ChangedDoc {
  readonly _id: string;
  readonly type?: unknown;
  readonly [key: string]: unknown;
}

/**
 * The requesters a set of changed documents concerns: a contact itself; a report's subject
 * (`patient_id`, `patient_uuid` or `place_id`, in `fields` or at the top level, as cht-core's
 * `getSubjectId` reads it), resolved with `contactOf` (a shortcode to its contact's id; give back
 * `undefined` for a uuid, which is then taken as the contact's id), else its author; a task
 * document's `requester`. Other documents concern no requester.
 */
export function requestersOf(docs: Iterable<ChangedDoc>, contactOf: (ref: string) => string | undefined = () => undefined): Set<ContactId> {
  const out = new Set<ContactId>();
  for (const doc of docs) {
    if (isContact(doc)) out.add(doc._id as ContactId);
    else if (doc.type === 'task' && typeof doc['requester'] === 'string') out.add(doc['requester'] as ContactId);
    else if (isReport(doc)) {
      const { patientCode, patientUuid, placeCode } = reportSubjects(doc);
      const ref = patientCode ?? patientUuid ?? placeCode;
      const author = doc['contact'];
      const authorId = typeof author === 'string' ? author : typeof author === 'object' && author !== null ? (author as { _id?: unknown })._id : undefined;
      const id = ref === undefined ? (typeof authorId === 'string' ? authorId : undefined) : contactOf(ref) ?? ref;
      if (id) out.add(id as ContactId);
    }
  }
  return out;
}
