/**
 * Target definitions in the declarative shape CHT apps write in `targets.js`, turned into emissions
 * for one contact and its reports: `appliesTo`, `appliesToType`, `appliesIf`, `passesIf`, `idType`,
 * `date`, `groupBy`, plus the settings that count them (`type`, `passesIfGroupCount`, `goal`,
 * `aggregate`).
 */
import type { ChtGlobals } from '../tasks/cht-config.js';
import type { RuleContact, RuleReport, TaskSubject } from '../tasks/rules.js';
import type { TargetDate } from './date.js';
import type { TargetEmission, TargetSettings } from './emission.js';
import { FieldsyncTargetError } from './errors.js';
import type { TargetProblem } from './errors.js';

/** `this` inside a target definition's functions: one object per definition and subject, as cht-conf binds them. */
export interface TargetContext {
  readonly definition: unknown;
  [key: string]: unknown;
}

/** One target definition, as in CHT's targets.js. */
export interface TargetDefinition<C extends RuleContact = RuleContact, R extends RuleReport = RuleReport> extends TargetSettings {
  /** One instance per contact, or one per report. */
  readonly appliesTo: 'contacts' | 'reports';
  /** Contact types (`contact_type` of configurable contacts, else `type`) or form codes. */
  readonly appliesToType?: readonly string[];
  /** Whether the target applies; any truthy value is yes. */
  readonly appliesIf?: (this: TargetContext, subject: TaskSubject<C, R>, report: R | undefined) => unknown;
  /** Whether an instance passes (any truthy value is yes); every instance passes when omitted. */
  readonly passesIf?: (this: TargetContext, subject: TaskSubject<C, R>, report: R | undefined) => unknown;
  /**
   * What counts once: `contact` (the default), `report`, or a function giving one id or several
   * (one instance each).
   */
  readonly idType?: 'contact' | 'report' | ((this: TargetContext, subject: TaskSubject<C, R>, report: R | undefined) => string | readonly string[]);
  /**
   * When the instance counts: `now` (the default: all-time, always in the current period), `reported`,
   * or a function giving an instant (ms or `Date`), a `YYYY-MM-DD` day (a date of birth, say), or
   * nothing (now). Read as {@link TargetEmission.date}.
   */
  readonly date?: 'now' | 'reported' | ((this: TargetContext, subject: TaskSubject<C, R>, report: R | undefined) => TargetDate);
  /**
   * The group of an instance, for `passesIfGroupCount`. A falsy value (`''`, `0`, nothing) is no
   * group, as in cht-core; anything else is grouped by its string.
   */
  readonly groupBy?: (this: TargetContext, subject: TaskSubject<C, R>, report: R | undefined) => unknown;
  /**
   * cht-conf's custom emission: called for each instance instead of emitting it, with the function
   * that emits one; it may emit the instance, a changed copy, several, or none.
   */
  readonly emitCustom?: (this: TargetContext, emit: (instance: TargetEmission) => void, instance: TargetEmission, subject: TaskSubject<C, R>, report: R | undefined) => void;
}

/** Target definitions, or a factory giving them afresh (as cht-core evaluates a config for each contact). */
export type TargetDefinitions<C extends RuleContact = RuleContact, R extends RuleReport = RuleReport> =
  | readonly TargetDefinition<C, R>[]
  | ((globals: ChtGlobals) => readonly TargetDefinition<C, R>[]);

/** Options of {@link targetRule}: the globals a factory is called with. */
export type TargetRuleOptions = ChtGlobals;

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
    if (d.date !== undefined && d.date !== null && d.date !== 'now' && d.date !== 'reported' && typeof d.date !== 'function') bad('date', 'must be "now", "reported" or a function');
    for (const key of ['appliesIf', 'passesIf', 'groupBy', 'emitCustom'] as const) if (d[key] !== undefined && typeof d[key] !== 'function') bad(key, 'must be a function');
  });
  return problems;
}

function typeOf(contact: RuleContact): string | undefined {
  return contact.type === 'contact' ? contact.contact_type : contact.type;
}

function checked<C extends RuleContact, R extends RuleReport>(definitions: readonly TargetDefinition<C, R>[]): readonly TargetDefinition<C, R>[] {
  const [first, ...rest] = targetDefinitionProblems(definitions as readonly TargetDefinition[]);
  if (first) throw new FieldsyncTargetError([first, ...rest]);
  return definitions;
}

function emissionsOf<C extends RuleContact, R extends RuleReport>(d: TargetDefinition<C, R>, subject: TaskSubject<C, R>, now: number): TargetEmission[] {
  // One `this` per definition and subject, as cht-conf binds a definition's functions per contact.
  const ctx: TargetContext = { definition: d };
  const types = d.appliesToType;
  const sources: Array<R | undefined> = d.appliesTo === 'contacts'
    ? (!types || types.includes(typeOf(subject.contact) ?? '') ? [undefined] : [])
    : subject.reports.filter((r) => !types || (r.form !== undefined && types.includes(r.form)));
  return sources.flatMap((report) => {
    if (d.appliesIf && !d.appliesIf.call(ctx, subject, report)) return [];
    const instances = typeof d.idType === 'function' ? d.idType.call(ctx, subject, report)
      : d.idType === 'report' ? (report?._id ?? subject.contact._id) : subject.contact._id;
    const date = typeof d.date === 'function' ? d.date.call(ctx, subject, report) || now
      : d.date === 'reported' ? ((report ?? subject.contact).reported_date ?? now) : now;
    const pass = d.passesIf ? Boolean(d.passesIf.call(ctx, subject, report)) : true;
    const group = d.groupBy?.call(ctx, subject, report);
    const out: TargetEmission[] = [];
    const emit = (instance: TargetEmission): void => { out.push(instance); };
    for (const instance of typeof instances === 'string' ? [instances] : instances) {
      const emission: TargetEmission = {
        _id: `${instance}~${d.id}`, type: d.id, pass, date,
        contact: { _id: subject.contact._id, ...(subject.contact.reported_date !== undefined ? { reported_date: subject.contact.reported_date } : {}) },
        ...(group ? { groupBy: typeof group === 'string' ? group : JSON.stringify(group) } : {}),
        ...((report ?? subject.contact).deleted === true ? { deleted: true } : {}),
      };
      if (d.emitCustom) d.emitCustom.call(ctx, emit, emission, subject, report);
      else emit(emission);
    }
    return out;
  });
}

/**
 * A target rule: the emissions of every definition for one subject, dated with `now` where a
 * definition counts "now". `definitions` may be a factory, called for every subject with the
 * globals of `options` (`Utils`, `user`, `cht`), as cht-core evaluates a config per contact; see
 * `chtConfigModule` for a project's own `targets.js`.
 * @throws {@link FieldsyncTargetError} `invalid-target-definition` listing every problem.
 */
export function targetRule<C extends RuleContact, R extends RuleReport>(
  definitions: TargetDefinitions<C, R>, options: TargetRuleOptions = {},
): (subject: TaskSubject<C, R>, now: number) => TargetEmission[] {
  const globals: ChtGlobals = { Utils: options.Utils, user: options.user, cht: options.cht };
  const fixed = typeof definitions === 'function' ? undefined : checked(definitions);
  if (typeof definitions === 'function') checked(definitions(globals));
  return (subject, now) => {
    const list = fixed ?? checked((definitions as (g: ChtGlobals) => readonly TargetDefinition<C, R>[])(globals));
    // Reports in reported_date order, as cht-core hands them to a config: of one instance id, the last emitted counts.
    const sorted: TaskSubject<C, R> = { contact: subject.contact, reports: [...subject.reports].sort((a, b) => (a.reported_date ?? 0) - (b.reported_date ?? 0)) };
    return list.flatMap((d) => emissionsOf(d, sorted, now));
  };
}
