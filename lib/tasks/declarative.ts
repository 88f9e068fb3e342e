/**
 * Task definitions in CHT's `tasks.js` shape, turned into a {@link TaskRule}: for each contact and
 * its reports, the emissions cht-conf's task emitter produces. Emission ids are cht-conf's,
 * `<source id>~<event id or index>~<task name>`, so a task calculated here and on a CHT webapp is
 * the same task; due dates from `days` start from the local day of the source's `reported_date`,
 * as cht-conf's `Utils.addDate` does.
 */
import type { CalendarDates, DateInput } from './calendar.js';
import { addDays, startOfLocalDay } from './calendar.js';
import type { ChtGlobals } from './cht-config.js';
import type { ActionContent, DefinitionContext, TaskDefinition, TaskEventDefinition, TaskPriority } from './definition.js';
import { definitionProblems, resolvingForm } from './definition.js';
import type { EmittedAction, Emission } from './emission.js';
import { FieldsyncTaskError } from './errors.js';
import type { RuleContact, RuleReport, TaskRule, TaskSubject } from './rules.js';

/** Task definitions, or a factory giving them afresh (as cht-core evaluates a config for each contact). */
export type TaskDefinitions<C extends RuleContact = RuleContact, R extends RuleReport = RuleReport> =
  | readonly TaskDefinition<C, R>[]
  | ((globals: ChtGlobals) => readonly TaskDefinition<C, R>[]);

/** Options of {@link definitionRule}. */
export interface DefinitionRuleOptions extends ChtGlobals {
  /**
   * The time of the calculation (ms), or a function giving it: a contact task of a contact without
   * `reported_date` is due `days` after today, as in cht-conf. Such a task has no date without it.
   */
  readonly now?: number | (() => number);
}

/** The type a contact is matched by in `appliesToType`: `contact_type` of configurable contacts, else `type`. */
function contactTypeOf(contact: RuleContact): string | undefined {
  return contact.type === 'contact' ? contact.contact_type : contact.type;
}

/** What one run over one subject needs. */
interface Run<C extends RuleContact, R extends RuleReport> {
  readonly subject: TaskSubject<C, R>;
  readonly dates: CalendarDates;
  readonly now: number | undefined;
}

/**
 * cht-nootils' `addDate` in the converter's zone: the local midnight `days` days after the local day
 * of `from` (the day of month plus `days`, truncated, as `Date#setDate` does), or `undefined`.
 */
function addDate(from: number, days: number, dates: CalendarDates): number | undefined {
  const day = dates.dateOf(from);
  if (day === undefined || !Number.isFinite(days)) return undefined;
  const dayOfMonth = Number(day.slice(8));
  const target = addDays(day, Math.trunc(dayOfMonth + days) - dayOfMonth);
  return target === undefined ? undefined : startOfLocalDay(target, dates);
}

function instantOf(value: DateInput | null | undefined, dates: CalendarDates): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime();
  const day = dates.toDate(value);
  if (day === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? startOfLocalDay(day, dates) : Date.parse(value);
}

function dueOf<C extends RuleContact, R extends RuleReport>(
  ctx: DefinitionContext, event: TaskEventDefinition<C, R>, run: Run<C, R>, report: R | undefined,
): DateInput | null {
  if (event.dueDate) return event.dueDate.call(ctx, event, run.subject, report) ?? null;
  const base = report ? report.reported_date : run.subject.contact.reported_date ?? run.now;
  if (typeof base !== 'number' || typeof event.days !== 'number') return null;
  const due = addDate(base, event.days, run.dates);
  return due === undefined ? null : new Date(due);
}

/**
 * cht-conf's default resolution: a report of the resolving form about this contact, submitted from
 * the local midnight `start` days before the due day (for a report task, after the report that
 * caused it) to the local midnight after the window's last day, both included.
 */
function resolvedByDefault<C extends RuleContact, R extends RuleReport>(
  definition: TaskDefinition<C, R>, event: TaskEventDefinition<C, R>, run: Run<C, R>, report: R | undefined, due: DateInput | null,
): boolean {
  const form = resolvingForm(definition);
  const dueAt = instantOf(due, run.dates);
  if (form === undefined || dueAt === undefined || typeof event.start !== 'number' || typeof event.end !== 'number') return false;
  const windowStart = addDate(dueAt, -event.start, run.dates);
  const end = addDate(dueAt, event.end + 1, run.dates);
  if (windowStart === undefined || end === undefined) return false;
  const start = report ? Math.max(windowStart, (report.reported_date ?? Number.NaN) + 1) : windowStart;
  return run.subject.reports.some((r) => r.form === form && typeof r.reported_date === 'number' && r.reported_date >= start && r.reported_date <= end);
}

function actionsOf<C extends RuleContact, R extends RuleReport>(
  ctx: DefinitionContext, definition: TaskDefinition<C, R>, run: Run<C, R>, report: R | undefined, event: TaskEventDefinition<C, R>,
): EmittedAction[] {
  return definition.actions.map((action) => {
    // A fresh object per emission, so modifyContent can change it freely.
    const content: ActionContent = { source: 'task', source_id: (report ?? run.subject.contact)._id, contact: run.subject.contact };
    action.modifyContent?.call(ctx, content, run.subject, report, event);
    const emitted: EmittedAction = { type: action.type ?? 'report', form: action.form, label: action.label ?? 'Follow up', content };
    return action.form === undefined ? { type: emitted.type, label: emitted.label, content } : emitted;
  });
}

function priorityOf<C extends RuleContact, R extends RuleReport>(
  ctx: DefinitionContext, definition: TaskDefinition<C, R>, run: Run<C, R>, report: R | undefined, event: TaskEventDefinition<C, R>, due: DateInput | null,
): TaskPriority | undefined {
  const p = typeof definition.priority === 'function' ? definition.priority.call(ctx, run.subject, report, event, due ?? new Date(Number.NaN)) : definition.priority;
  return p ? p : undefined;
}

function emissionsOf<C extends RuleContact, R extends RuleReport>(
  ctx: DefinitionContext, definition: TaskDefinition<C, R>, run: Run<C, R>, report: R | undefined,
): Emission[] {
  const { subject } = run;
  if (definition.appliesIf && !definition.appliesIf.call(ctx, subject, report)) return [];
  const source = report ?? subject.contact;
  const label = typeof definition.contactLabel === 'function' ? definition.contactLabel.call(ctx, subject, report) : definition.contactLabel;
  return definition.events.map((event, index): Emission => {
    const date = dueOf(ctx, event, run, report);
    const resolved = definition.resolvedIf
      ? Boolean(definition.resolvedIf.call(ctx, subject, report, event, date ?? new Date(Number.NaN)))
      : resolvedByDefault(definition, event, run, report, date);
    const priority = priorityOf(ctx, definition, run, report, event, date);
    return {
      _id: `${source._id}~${event.id || String(index)}~${definition.name}`,
      date,
      readyStart: event.start || 0,
      readyEnd: event.end || 0,
      resolved,
      deleted: source.deleted === true,
      // fieldsync keeps the contact's _id beside a contactLabel, so the task keeps its owner.
      contact: label ? { _id: subject.contact._id, name: label } : { _id: subject.contact._id, name: (subject.contact as { name?: unknown }).name },
      ...(definition.title !== undefined ? { title: definition.title } : {}),
      ...(definition.icon !== undefined ? { icon: definition.icon } : {}),
      ...(priority !== undefined ? { priority: priority.level, priorityLabel: priority.label } : {}),
      actions: actionsOf(ctx, definition, run, report, event),
    };
  });
}

function checked<C extends RuleContact, R extends RuleReport>(definitions: readonly TaskDefinition<C, R>[]): readonly TaskDefinition<C, R>[] {
  const [first, ...rest] = definitionProblems(definitions);
  if (first) throw new FieldsyncTaskError([first, ...rest]);
  return definitions;
}

/**
 * A task rule from declarative definitions, run as cht-conf's task emitter runs them: report tasks
 * over the subject's reports in `reported_date` order whose `form` is in `appliesToType` (all when
 * omitted), contact tasks over the subject's contact when its type is in `appliesToType`. Every
 * function of a definition is called with one `this` per definition and subject, shared by that
 * subject's reports.
 *
 * `definitions` may be a factory: it is called for every subject with the globals of `options`
 * (`Utils`, `user`, `cht`, as cht-core gives them to a config), so state a config computes when it
 * is loaded (a `today`) is never stale. {@link chtConfigModule} makes such a factory from a CHT
 * project's own files.
 * @throws {@link FieldsyncTaskError} `invalid-task-definition` listing every problem of the definitions
 *   (from a factory: of its first result here, of later results when the rule runs).
 */
export function definitionRule<C extends RuleContact, R extends RuleReport>(
  definitions: TaskDefinitions<C, R>, dates: CalendarDates, options: DefinitionRuleOptions = {},
): TaskRule<C, R> {
  const globals: ChtGlobals = { Utils: options.Utils, user: options.user, cht: options.cht };
  const fixed = typeof definitions === 'function' ? undefined : checked(definitions);
  if (typeof definitions === 'function') checked(definitions(globals));
  return (given) => {
    const list = fixed ?? checked((definitions as (g: ChtGlobals) => readonly TaskDefinition<C, R>[])(globals));
    const reports = [...given.reports].sort((a, b) => (a.reported_date ?? 0) - (b.reported_date ?? 0));
    const subject: TaskSubject<C, R> = { contact: given.contact, reports };
    const now = typeof options.now === 'function' ? options.now() : options.now;
    const run: Run<C, R> = { subject, dates, now };
    return list.flatMap((definition) => {
      // One `this` per definition and subject, as cht-conf binds a definition's functions per contact.
      const ctx: DefinitionContext = { definition };
      const types = definition.appliesToType;
      if (definition.appliesTo === 'contacts') {
        const type = contactTypeOf(subject.contact);
        if (types && (type === undefined || !types.includes(type))) return [];
        return emissionsOf(ctx, definition, run, undefined);
      }
      return reports
        .filter((report) => !types || (report.form !== undefined && types.includes(report.form)))
        .flatMap((report) => emissionsOf(ctx, definition, run, report));
    });
  };
}
