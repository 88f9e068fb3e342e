/**
 * Task documents, as the schema spec shows them: `_id` `task~<user>~<emission id>~<authoredOn>`,
 * `type: 'task'`, the user-settings id that calculated it, the requester and owner contacts, the
 * state with its history, and the minified emission (its `_id` plus whatever the partner code
 * emitted, all kept).
 */
import * as t from 'io-ts';
import { intersection } from './combinators.js';
import { StoredFields, Timestamp } from './base.js';
import { brandedString, CalendarDate, ContactId, DocId, UserSettingsId } from './ids.js';
import type { DocIdBrand } from './ids.js';

/** Brand of {@link TaskId}. */
export interface TaskIdBrand { readonly TaskId: unique symbol }

/** The parts of a task `_id`. */
export interface TaskIdParts {
  /** The user-settings id of the user who calculated the task. */
  readonly user: UserSettingsId;
  /** The emission `_id`; may itself contain `~`. */
  readonly emissionId: string;
  /** When the document was first calculated (ms); the last segment of the id. */
  readonly authoredOn: number;
}

/**
 * Splits `task~<user>~<emission id>~<authoredOn>`. The user never contains `~` and authoredOn is
 * the last segment, so everything between them is the emission id, `~` included.
 * Returns `undefined` when `id` is not a task id.
 */
export function parseTaskId(id: string): TaskIdParts | undefined {
  const parts = id.split('~');
  if (parts.length < 4 || parts[0] !== 'task') return undefined;
  const user = parts[1]!;
  const last = parts[parts.length - 1]!;
  const emissionId = parts.slice(2, -1).join('~');
  if (!UserSettingsId.is(user) || emissionId === '' || !/^\d+$/.test(last)) return undefined;
  const authoredOn = Number(last);
  return Number.isSafeInteger(authoredOn) ? { user, emissionId, authoredOn } : undefined;
}

/** A task document id, `task~<user>~<emission id>~<authoredOn>`. Also a {@link DocId}. */
export const TaskId = brandedString<DocIdBrand & TaskIdBrand>(
  'TaskId (task~<user>~<emission id>~<authoredOn>)',
  (s) => parseTaskId(s) !== undefined,
);
/** A task document id. */
export type TaskId = t.TypeOf<typeof TaskId>;

/** Builds a task `_id` from its parts (the inverse of {@link parseTaskId}). `authoredOn` is written as an integer. */
export function taskId(parts: { readonly user: UserSettingsId; readonly emissionId: string; readonly authoredOn: number }): TaskId {
  return `task~${parts.user}~${parts.emissionId}~${Math.trunc(parts.authoredOn)}` as TaskId;
}

/** The five task states; Cancelled, Completed and Failed are terminal. */
export const TaskState = t.keyof(
  { Draft: null, Ready: null, Cancelled: null, Completed: null, Failed: null },
  'TaskState (Draft | Ready | Cancelled | Completed | Failed)',
);
/** A task state. */
export type TaskState = t.TypeOf<typeof TaskState>;

/** One entry of `stateHistory`: the state entered and when. */
export const TaskStateChange = t.type({ state: TaskState, timestamp: Timestamp }, 'TaskStateChange');
/** One entry of `stateHistory`. */
export type TaskStateChange = t.TypeOf<typeof TaskStateChange>;

/** The minified emission: its `_id` and the fields the framework reads; every other property is kept as emitted. */
export const TaskEmission = intersection([
  t.type({ _id: DocId }),
  t.partial({
    forId: ContactId,
    dueDate: CalendarDate,
    startDate: CalendarDate,
    endDate: CalendarDate,
    resolved: t.boolean,
    deleted: t.boolean,
  }),
], 'TaskEmission');
/** The minified emission. */
export type TaskEmission = t.TypeOf<typeof TaskEmission>;

/** A task document. */
export const TaskDoc = intersection([
  t.type({
    _id: TaskId,
    type: t.literal('task'),
    authoredOn: Timestamp,
    user: UserSettingsId,
    requester: ContactId,
    owner: ContactId,
    state: TaskState,
    emission: TaskEmission,
    stateHistory: t.array(TaskStateChange),
  }),
  t.partial({ stateReason: t.string }),
  StoredFields,
], 'TaskDoc');
/** A task document. */
export type TaskDoc = t.TypeOf<typeof TaskDoc>;
