/**
 * Task definitions in the declarative shape CHT apps write in `tasks.js`, so an existing
 * configuration can be reused: `name`, `appliesTo` (`'contacts'` or `'reports'`), `appliesToType`,
 * `appliesIf`, `resolvedIf`, `contactLabel`, `events` (`id`, `days` or `dueDate`, `start`, `end`),
 * `actions` and `priority`. Functions are called with `this` bound to one context object per
 * definition and contact (shared by that contact's reports), as cht-conf binds them, so
 * `appliesIf` can leave something for `resolvedIf`.
 */
import type { DateInput } from './calendar.js';
import type { TaskProblem } from './errors.js';
import type { RuleContact, RuleReport, TaskSubject } from './rules.js';

/** `this` inside a definition's functions: the definition, plus whatever the functions store. */
export interface DefinitionContext {
  readonly definition: unknown;
  [key: string]: unknown;
}

/** One event of a task: when it is due and how many days around that it shows. */
export interface TaskEventDefinition<C extends RuleContact = RuleContact, R extends RuleReport = RuleReport> {
  /** Part of the emission id; the event's index when omitted. */
  readonly id?: string;
  /** Due this many days after the report's (or, for contact tasks, the contact's) `reported_date`. */
  readonly days?: number;
  /** Or: the due date computed by the app. */
  readonly dueDate?: (this: DefinitionContext, event: TaskEventDefinition<C, R>, subject: TaskSubject<C, R>, report: R | undefined) => DateInput | null | undefined;
  /** Days before the due date the task starts to show (0 when omitted). */
  readonly start?: number;
  /** Days after the due date the task keeps showing (0 when omitted). */
  readonly end?: number;
}

/** The content a task action passes to its form; `modifyContent` may add to it. */
export type ActionContent = Record<string, unknown>;

/** One action of a task definition. */
export interface TaskActionDefinition<C extends RuleContact = RuleContact, R extends RuleReport = RuleReport> {
  /** `'report'` (the default: open `form`) or `'contact'`. */
  readonly type?: string;
  /** The form to open; a `contact` action may have none. */
  readonly form?: string;
  /** Button label; `'Follow up'` when omitted. */
  readonly label?: unknown;
  /** Adds inputs for the form to `content` (a fresh object for each emission, so changing it is safe). */
  readonly modifyContent?: (this: DefinitionContext, content: ActionContent, subject: TaskSubject<C, R>, report: R | undefined, event: TaskEventDefinition<C, R>) => void;
}

/** A task's priority: `level` is stored as the emission's `priority`, `label` as `priorityLabel`. */
export interface TaskPriority {
  readonly level: unknown;
  readonly label?: unknown;
}

/** One task definition, as in CHT's `tasks.js`. */
export interface TaskDefinition<C extends RuleContact = RuleContact, R extends RuleReport = RuleReport> {
  /** Unique name; part of every emission id. */
  readonly name: string;
  readonly icon?: string;
  readonly title?: unknown;
  /** One task per contact, or one per report. */
  readonly appliesTo: 'contacts' | 'reports';
  /** Contact types (for `contacts`: `contact_type` of configurable contacts, else `type`) or form codes (for `reports`). */
  readonly appliesToType?: readonly string[];
  /** Whether the task applies; any truthy value is yes, as in cht-conf. */
  readonly appliesIf?: (this: DefinitionContext, subject: TaskSubject<C, R>, report: R | undefined) => unknown;
  /**
   * Whether the task is done; any truthy value is yes (stored as `true`). `dueDate` is what the
   * event's `dueDate` returned, or the local midnight of the due day as a `Date`. When omitted, as
   * cht-conf's default: a report of the first `report` action's form submitted from the local
   * midnight `start` days before the due day (and, for report tasks, after the report that caused
   * it) to the local midnight after the last day; an event without a number `start` and `end`
   * never resolves by default (cht-conf's window is then not a time).
   */
  readonly resolvedIf?: (this: DefinitionContext, subject: TaskSubject<C, R>, report: R | undefined, event: TaskEventDefinition<C, R>, dueDate: DateInput) => unknown;
  /** A label shown instead of the contact's name. */
  readonly contactLabel?: string | ((this: DefinitionContext, subject: TaskSubject<C, R>, report: R | undefined) => string);
  readonly events: readonly TaskEventDefinition<C, R>[];
  readonly actions: readonly TaskActionDefinition<C, R>[];
  /** A priority, or a function of the event and its due date giving one (nothing, or any falsy value, for none). */
  readonly priority?: TaskPriority | ((this: DefinitionContext, subject: TaskSubject<C, R>, report: R | undefined, event: TaskEventDefinition<C, R>, dueDate: DateInput) => TaskPriority | null | undefined | false);
}

const isFn = (v: unknown): boolean => typeof v === 'function';
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** The form whose submission resolves a task by default: the first action that opens a report form. */
export function resolvingForm(definition: { readonly actions: readonly { readonly type?: string; readonly form?: string }[] }): string | undefined {
  return definition.actions.find((a) => (a.type === undefined || a.type === 'report') && typeof a.form === 'string' && a.form !== '')?.form;
}

/**
 * Every problem with a list of definitions (which may come from untyped JavaScript): missing or
 * repeated names, an `appliesTo` other than `contacts`/`reports` (cht-conf's `scheduled_tasks` is
 * named as not supported), events without `days` or `dueDate`, negative `start`/`end`, report
 * actions without a form (a `contact` action may have none), a priority that is neither an object
 * nor a function, and no way to tell when the task is resolved.
 */
export function definitionProblems<C extends RuleContact, R extends RuleReport>(definitions: readonly TaskDefinition<C, R>[]): TaskProblem[] {
  const problems: TaskProblem[] = [];
  const names = new Set<string>();
  definitions.forEach((d, i) => {
    const task = typeof d.name === 'string' && d.name !== '' ? d.name : `#${i}`;
    const bad = (field: string, reason: string) => problems.push({ kind: 'invalid-task-definition', task, field, reason });
    if (typeof d.name !== 'string' || d.name === '') bad('name', 'must be a non-empty string');
    else if (d.name.includes('~')) bad('name', 'must not contain "~" (it separates the parts of task ids)');
    else if (names.has(d.name)) bad('name', 'is used by another task');
    else names.add(d.name);
    if ((d.appliesTo as string) === 'scheduled_tasks') bad('appliesTo', 'scheduled_tasks (tasks from a report\'s scheduled_tasks) is not supported');
    else if ((d.appliesTo as string) !== 'contacts' && (d.appliesTo as string) !== 'reports') bad('appliesTo', `must be "contacts" or "reports", found ${JSON.stringify(d.appliesTo)}`);
    if (d.appliesToType !== undefined && (!Array.isArray(d.appliesToType) || !d.appliesToType.every((t) => typeof t === 'string'))) bad('appliesToType', 'must be an array of strings');
    for (const key of ['appliesIf', 'resolvedIf'] as const) if (d[key] !== undefined && !isFn(d[key])) bad(key, 'must be a function');
    if (d.contactLabel !== undefined && typeof d.contactLabel !== 'string' && !isFn(d.contactLabel)) bad('contactLabel', 'must be a string or a function');
    if (d.priority !== undefined && d.priority !== null && typeof d.priority !== 'object' && !isFn(d.priority)) bad('priority', 'must be an object with a level, or a function');
    if (!Array.isArray(d.events) || d.events.length === 0) bad('events', 'must be a non-empty array (recurring events are not supported)');
    else (d.events as readonly TaskEventDefinition<C, R>[]).forEach((e, j) => {
      if (e.dueDate !== undefined && !isFn(e.dueDate)) bad(`events[${j}].dueDate`, 'must be a function');
      if (e.dueDate === undefined && !(typeof e.days === 'number' && Number.isFinite(e.days))) bad(`events[${j}]`, 'needs a number of days or a dueDate function');
      if (e.start !== undefined && !isCount(e.start)) bad(`events[${j}].start`, 'must be a number of days, 0 or more');
      if (e.end !== undefined && !isCount(e.end)) bad(`events[${j}].end`, 'must be a number of days, 0 or more');
      if (e.id !== undefined && (typeof e.id !== 'string' || e.id.includes('~'))) bad(`events[${j}].id`, 'must be a string without "~"');
    });
    if (!Array.isArray(d.actions) || d.actions.length === 0) bad('actions', 'must be a non-empty array');
    else {
      (d.actions as readonly TaskActionDefinition<C, R>[]).forEach((a, j) => {
        const contactAction = a.type === 'contact';
        if (a.type !== undefined && a.type !== 'report' && !contactAction) bad(`actions[${j}].type`, 'must be "report" or "contact"');
        if (contactAction ? a.form !== undefined && typeof a.form !== 'string' : typeof a.form !== 'string' || a.form === '') bad(`actions[${j}].form`, contactAction ? 'must be a string when given' : 'must be a non-empty string (only a contact action may have none)');
        if (a.modifyContent !== undefined && !isFn(a.modifyContent)) bad(`actions[${j}].modifyContent`, 'must be a function');
      });
      if (d.resolvedIf === undefined && resolvingForm(d) === undefined) bad('resolvedIf', 'is required when no action opens a report form');
    }
  });
  return problems;
}
