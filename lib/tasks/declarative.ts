/**
 * Task definitions in CHT's `tasks.js` shape, turned into a {@link TaskRule}: for each contact and
 * its reports, the emissions CHT's rules engine would produce. Emission ids are
 * `<source id>~<task name>~<event id or index>`, so the same source, task and event always give
 * the same id however often they are recalculated.
 */
import type { CalendarDates, DateInput } from './calendar.js';
import { addDays } from './calendar.js';
import type { ActionContent, DefinitionContext, TaskDefinition, TaskEventDefinition } from './definition.js';
import { definitionProblems, resolvingForm } from './definition.js';
import type { EmittedAction, Emission } from './emission.js';
import { FieldsyncTaskError } from './errors.js';
import type { RuleContact, RuleReport, TaskRule, TaskSubject } from './rules.js';

const DAY = 86_400_000;

/** The type a contact is matched by in `appliesToType`: `contact_type` of configurable contacts, else `type`. */
function contactTypeOf(contact: RuleContact): string | undefined {
  return contact.type === 'contact' ? contact.contact_type : contact.type;
}

function dueOf<C extends RuleContact, R extends RuleReport>(
  ctx: DefinitionContext, event: TaskEventDefinition<C, R>, subject: TaskSubject<C, R>, report: R | undefined,
): DateInput | undefined {
  if (event.dueDate) return event.dueDate.call(ctx, event, subject, report) ?? undefined;
  const base = (report ?? subject.contact).reported_date;
  return typeof base === 'number' && typeof event.days === 'number' ? base + event.days * DAY : undefined;
}

/**
 * CHT's default resolution: a report of the resolving form about this contact, submitted on a day
 * of the window and, for a report task, after the report that caused it.
 */
function resolvedByDefault<C extends RuleContact, R extends RuleReport>(
  definition: TaskDefinition<C, R>, subject: TaskSubject<C, R>, report: R | undefined, first: string, last: string, dates: CalendarDates,
): boolean {
  const form = resolvingForm(definition);
  return subject.reports.some((r) => {
    if (r.form !== form || typeof r.reported_date !== 'number') return false;
    if (report && typeof report.reported_date === 'number' && r.reported_date <= report.reported_date) return false;
    const day = dates.dateOf(r.reported_date);
    return day !== undefined && day >= first && day <= last;
  });
}

function actionsOf<C extends RuleContact, R extends RuleReport>(
  ctx: DefinitionContext, definition: TaskDefinition<C, R>, subject: TaskSubject<C, R>, report: R | undefined, event: TaskEventDefinition<C, R>,
): EmittedAction[] {
  return definition.actions.map((action) => {
    // A fresh object per emission, so modifyContent can change it freely.
    const content: ActionContent = { source: 'task', source_id: (report ?? subject.contact)._id, contact: subject.contact };
    action.modifyContent?.call(ctx, content, subject, report, event);
    return { type: action.type ?? 'report', form: action.form, label: action.label ?? 'Follow up', content };
  });
}

function emissionsOf<C extends RuleContact, R extends RuleReport>(
  definition: TaskDefinition<C, R>, subject: TaskSubject<C, R>, report: R | undefined, dates: CalendarDates,
): Emission[] {
  // One `this` per definition and source, so appliesIf can leave something for resolvedIf.
  const ctx: DefinitionContext = { definition };
  if (definition.appliesIf && !definition.appliesIf.call(ctx, subject, report)) return [];
  const source = report ?? subject.contact;
  const priority = typeof definition.priority === 'function' ? definition.priority.call(ctx, subject, report) : definition.priority;
  const label = typeof definition.contactLabel === 'function' ? definition.contactLabel.call(ctx, subject, report) : definition.contactLabel;
  return definition.events.map((event, index): Emission => {
    const date = dueOf(ctx, event, subject, report);
    const start = event.start ?? 0;
    const end = event.end ?? 0;
    const due = dates.toDate(date);
    let resolved = false;
    if (due !== undefined) {
      resolved = definition.resolvedIf
        ? definition.resolvedIf.call(ctx, subject, report, event, new Date(date instanceof Date ? date.getTime() : typeof date === 'number' ? date : Date.parse(due)))
        : resolvedByDefault(definition, subject, report, addDays(due, -start) ?? due, addDays(due, end) ?? due, dates);
    }
    return {
      _id: `${source._id}~${definition.name}~${event.id ?? String(index)}`,
      date: date ?? null,
      readyStart: start,
      readyEnd: end,
      resolved,
      deleted: source.deleted === true,
      contact: label === undefined ? { _id: subject.contact._id, name: (subject.contact as { name?: unknown }).name } : { _id: subject.contact._id, name: label },
      title: definition.title ?? definition.name,
      ...(definition.icon !== undefined ? { icon: definition.icon } : {}),
      ...(priority !== undefined ? { priority: priority.level, priorityLabel: priority.label } : {}),
      actions: actionsOf(ctx, definition, subject, report, event),
    };
  });
}

/**
 * A task rule from declarative definitions. Report tasks consider the reports of the subject whose
 * `form` is in `appliesToType` (all reports when omitted); contact tasks the subject's contact when
 * its type is in `appliesToType` (any type when omitted).
 * @throws {@link FieldsyncTaskError} `invalid-task-definition` listing every problem of the definitions.
 */
export function definitionRule<C extends RuleContact, R extends RuleReport>(definitions: readonly TaskDefinition<C, R>[], dates: CalendarDates): TaskRule<C, R> {
  const problems = definitionProblems(definitions);
  const [first, ...rest] = problems;
  if (first) throw new FieldsyncTaskError([first, ...rest]);
  return (subject) => definitions.flatMap((definition) => {
    const types = definition.appliesToType;
    if (definition.appliesTo === 'contacts') {
      const type = contactTypeOf(subject.contact);
      if (types && (type === undefined || !types.includes(type))) return [];
      return emissionsOf(definition, subject, undefined, dates);
    }
    return subject.reports
      .filter((report) => !types || (report.form !== undefined && types.includes(report.form)))
      .flatMap((report) => emissionsOf(definition, subject, report, dates));
  });
}
