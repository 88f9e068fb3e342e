/**
 * Task rules: the app's code that turns one contact and its reports into emissions. A rule sees one
 * contact at a time (as CHT's tasks.js does), which is what lets a refresh recalculate just the
 * contacts whose data changed.
 */
import type { ContactId } from '../codecs/index.js';
import type { Emission } from './emission.js';

/** The least a contact needs for task rules: an `_id`; the rest is whatever the app's rules read. */
export interface RuleContact {
  readonly _id: string;
  readonly type?: string;
  readonly contact_type?: string;
  readonly reported_date?: number;
  readonly deleted?: boolean;
}

/** The least a report needs for task rules. */
export interface RuleReport {
  readonly _id: string;
  readonly form?: string;
  readonly reported_date?: number;
  readonly deleted?: boolean;
}

/** One contact (usually hydrated: parents filled in) with the reports about it. CHT calls this the contact's "container". */
export interface TaskSubject<C extends RuleContact = RuleContact, R extends RuleReport = RuleReport> {
  readonly contact: C;
  readonly reports: readonly R[];
}

/** A task rule: the emissions for one subject. Must be pure: the same subject gives the same emissions. */
export type TaskRule<C extends RuleContact = RuleContact, R extends RuleReport = RuleReport> = (subject: TaskSubject<C, R>) => readonly Emission[];

/**
 * Runs every rule over every subject: the fresh emissions of each requester (the subject's
 * contact), ready for {@link planTaskWrites}. A subject whose rules emit nothing still appears, with
 * an empty list, so its stale tasks are cancelled.
 */
export function emissionsFor<C extends RuleContact, R extends RuleReport>(
  rules: readonly TaskRule<C, R>[],
  subjects: Iterable<TaskSubject<C, R>>,
): Map<ContactId, Emission[]> {
  const out = new Map<ContactId, Emission[]>();
  for (const subject of subjects) {
    const emissions = out.get(subject.contact._id as ContactId) ?? [];
    for (const rule of rules) emissions.push(...rule(subject));
    out.set(subject.contact._id as ContactId, emissions);
  }
  return out;
}
