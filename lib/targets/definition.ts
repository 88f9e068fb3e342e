/**
 * Target definitions in the declarative shape CHT apps write in `targets.js`, turned into emissions
 * for one contact and its reports: `appliesTo`, `appliesToType`, `appliesIf`, `passesIf`, `idType`,
 * `date`, `groupBy`, plus the settings that count them (`type`, `passesIfGroupCount`, `goal`,
 * `aggregate`).
 */
import type { RuleContact, RuleReport, TaskSubject } from '../tasks/rules.js';
import type { TargetDate } from './date.js';
import type { TargetEmission, TargetSettings } from './emission.js';
import { FieldsyncTargetError } from './errors.js';
import type { TargetProblem } from './errors.js';

/** One target definition, as in CHT's targets.js. */
export interface TargetDefinition<C extends RuleContact = RuleContact, R extends RuleReport = RuleReport> extends TargetSettings {
  /** One instance per contact, or one per report. */
  readonly appliesTo: 'contacts' | 'reports';
  /** Contact types (`contact_type` of configurable contacts, else `type`) or form codes. */
  readonly appliesToType?: readonly string[];
  readonly appliesIf?: (subject: TaskSubject<C, R>, report: R | undefined) => boolean;
  /** Whether an instance passes; every instance passes when omitted. */
  readonly passesIf?: (subject: TaskSubject<C, R>, report: R | undefined) => boolean;
  /**
   * What counts once: `contact` (the default), `report`, or a function giving one id or several
   * (one instance each).
   */
  readonly idType?: 'contact' | 'report' | ((subject: TaskSubject<C, R>, report: R | undefined) => string | readonly string[]);
  /**
   * When the instance counts: `now` (the default: all-time, always in the current period), `reported`,
   * or a function giving an instant (ms or `Date`), a `YYYY-MM-DD` day (a date of birth, say), or
   * nothing (now). Read as {@link TargetEmission.date}.
   */
  readonly date?: 'now' | 'reported' | ((subject: TaskSubject<C, R>, report: R | undefined) => TargetDate);
  /** The group of an instance, for `passesIfGroupCount`. */
  readonly groupBy?: (subject: TaskSubject<C, R>, report: R | undefined) => string;
}

/** Every problem with a list of definitions (which may come from untyped JavaScript). */
export function targetDefinitionProblems(definitions: readonly TargetDefinition[]): TargetProblem[] {
  const problems: TargetProblem[] = [];
  const ids = new Set<string>();
  definitions.forEach((d, i) => {
    const target = typeof d.id === 'string' && d.id !== '' ? d.id : `#${i}`;
    const bad = (field: string, reason: string): void => { problems.push({ kind: 'invalid-target-definition', target, field, reason }); };
    if (typeof d.id !== 'string' || d.id === '') bad('id', 'must be a non-empty string');
    else if (ids.has(d.id)) bad('id', 'is used by another target');
    else ids.add(d.id);
    if ((d.type as string) !== 'count' && (d.type as string) !== 'percent') bad('type', 'must be "count" or "percent"');
    if ((d.appliesTo as string) !== 'contacts' && (d.appliesTo as string) !== 'reports') bad('appliesTo', 'must be "contacts" or "reports"');
    if (d.passesIfGroupCount !== undefined && !(Number.isInteger(d.passesIfGroupCount.gte) && d.passesIfGroupCount.gte > 0)) bad('passesIfGroupCount.gte', 'must be a positive integer');
    if (d.passesIfGroupCount !== undefined && typeof d.groupBy !== 'function') bad('groupBy', 'is required with passesIfGroupCount');
    if (d.idType !== undefined && d.idType !== 'contact' && d.idType !== 'report' && typeof d.idType !== 'function') bad('idType', 'must be "contact", "report" or a function');
  });
  return problems;
}

function typeOf(contact: RuleContact): string | undefined {
  return contact.type === 'contact' ? contact.contact_type : contact.type;
}

/**
 * A target rule: the emissions of every definition for one subject, dated with `now` where a
 * definition counts "now".
 * @throws {@link FieldsyncTargetError} `invalid-target-definition` listing every problem.
 */
export function targetRule<C extends RuleContact, R extends RuleReport>(
  definitions: readonly TargetDefinition<C, R>[],
): (subject: TaskSubject<C, R>, now: number) => TargetEmission[] {
  const [first, ...rest] = targetDefinitionProblems(definitions as readonly TargetDefinition[]);
  if (first) throw new FieldsyncTargetError([first, ...rest]);
  return (subject, now) => definitions.flatMap((d) => {
    const types = d.appliesToType;
    const sources: Array<R | undefined> = d.appliesTo === 'contacts'
      ? (!types || types.includes(typeOf(subject.contact) ?? '') ? [undefined] : [])
      : subject.reports.filter((r) => !types || (r.form !== undefined && types.includes(r.form)));
    return sources.flatMap((report) => {
      if (d.appliesIf && !d.appliesIf(subject, report)) return [];
      const instances = typeof d.idType === 'function' ? d.idType(subject, report)
        : d.idType === 'report' ? (report?._id ?? subject.contact._id) : subject.contact._id;
      const date = typeof d.date === 'function' ? d.date(subject, report)
        : d.date === 'reported' ? ((report ?? subject.contact).reported_date ?? now) : now;
      const pass = d.passesIf ? d.passesIf(subject, report) : true;
      const groupBy = d.groupBy?.(subject, report);
      return (typeof instances === 'string' ? [instances] : instances).map((instance): TargetEmission => ({
        _id: `${instance}~${d.id}`, type: d.id, pass, date,
        contact: { _id: subject.contact._id, ...(subject.contact.reported_date !== undefined ? { reported_date: subject.contact.reported_date } : {}) },
        ...(groupBy !== undefined ? { groupBy } : {}),
        ...((report ?? subject.contact).deleted === true ? { deleted: true } : {}),
      }));
    });
  });
}
