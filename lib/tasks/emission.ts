/**
 * Task emissions: what an app's task rules produce for one contact, before they become task
 * documents. The field names are CHT's, so emissions from an existing configuration fit as they are.
 */
import type { TaskEmission } from '../codecs/index.js';
import type { DateInput } from './calendar.js';

/** One action of an emitted task: usually "open this form", with the content passed to it. */
export interface EmittedAction {
  /** `'report'` (open a form) or `'contact'` (create a contact); CHT's default is `'report'`. */
  readonly type?: string;
  /** The form to open. */
  readonly form?: string;
  /** The button label (a string or a translation structure). */
  readonly label?: unknown;
  /** Data passed to the form; `contact` is whom the form is about (its `_id` becomes the task's `forId`). */
  readonly content?: { readonly contact?: { readonly _id?: string } | null; readonly [key: string]: unknown };
}

/**
 * A task as emitted by a rule. `_id` identifies the task across recalculations (CHT builds it from
 * the source document, the task name and the event). The window is either given (`startDate`,
 * `dueDate`, `endDate` as `YYYY-MM-DD`) or derived: `date` minus `readyStart` days to `date` plus
 * `readyEnd` days.
 */
export interface Emission {
  /** Stable id of this task; the same task recalculated must have the same id. */
  readonly _id: string;
  /** When the task is due (an instant or a `YYYY-MM-DD` date). */
  readonly date?: DateInput | null;
  /** Days before the due date the task starts to show (`null` is 0; a fraction rounds half away from zero, as in cht-core). */
  readonly readyStart?: number | null;
  /** Days after the due date the task keeps showing (read as {@link Emission.readyStart}). */
  readonly readyEnd?: number | null;
  /** Due date, when the window is given explicitly. */
  readonly dueDate?: string;
  /** First day of the window, when given explicitly. */
  readonly startDate?: string;
  /** Last day of the window, when given explicitly. */
  readonly endDate?: string;
  /** The task has been done: its state is Completed. */
  readonly resolved?: boolean;
  /** The source document was deleted: its state is Cancelled. */
  readonly deleted?: boolean;
  /** Whom the task is about (its `_id` is the task's `owner`), or only a display `name` (CHT's `contactLabel`). */
  readonly contact?: { readonly _id?: string; readonly name?: unknown } | null;
  /** Title shown in the task list (string or translation key). */
  readonly title?: unknown;
  /** Icon name. */
  readonly icon?: string;
  /** Priority level (CHT emits `priority.level` here). */
  readonly priority?: unknown;
  /** Priority label. */
  readonly priorityLabel?: unknown;
  /** What the user can do from the task. */
  readonly actions?: readonly EmittedAction[];
}

/** An action as stored on a task document: the content's `contact` is dropped (it is the doc's `forId`). */
export interface StoredAction {
  readonly type?: string;
  readonly form?: string;
  readonly label?: unknown;
  readonly content?: { readonly [key: string]: unknown };
}

/**
 * The minified emission kept on a task document: enough to show and open the task without running
 * the rules again. The window is always written as dates so the document's state can be recomputed
 * as days pass without the rules. The codec's {@link TaskEmission} plus the display fields.
 */
export type StoredEmission = TaskEmission & {
  readonly title?: unknown;
  readonly icon?: string;
  readonly actions?: readonly StoredAction[];
  readonly priority?: unknown;
  readonly priorityLabel?: unknown;
  /** Only the display name: the owner is on the document itself. */
  readonly contact?: { readonly name?: unknown };
};
