/**
 * The task state machine. States follow CHT (after FHIR's task): Draft (scheduled in the future),
 * Ready (showing), and the terminal Cancelled, Completed and Failed. A state is calculated from an
 * emission and today's local date; a document records each change in `stateHistory`.
 */
import type { CalendarDate, TaskDoc, TaskState } from '../codecs/index.js';
import type { CalendarDates } from './calendar.js';
import type { Emission, StoredEmission } from './emission.js';
import { displayWindow } from './window.js';
import type { TaskWindow } from './window.js';

/** The states a task document never leaves. */
export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set<TaskState>(['Cancelled', 'Completed', 'Failed']);

/** Whether a state is terminal (Cancelled, Completed or Failed). */
export function isTerminal(state: TaskState): boolean {
  return TERMINAL_STATES.has(state);
}

/** A calculated state, or `'invalid'` for an emission without a valid window (stored as Cancelled, reason `invalid`). */
export type EmissionState = TaskState | 'invalid';

/** Why a document was cancelled, when it is not simply "no longer emitted". */
export type StateReason = 'invalid' | 'duplicate';

const READINESS: Readonly<Record<EmissionState, number>> = { Ready: 0, Draft: 1, Completed: 2, Failed: 3, Cancelled: 4, invalid: 4 };

/** Rank for choosing among duplicates: Ready, then Draft, Completed, Failed, and Cancelled (or invalid) last. Lower is "more ready". */
export function readiness(state: EmissionState): number {
  return READINESS[state];
}

/**
 * The state for a resolved/deleted flag pair and a window on `today`: resolved wins over deleted
 * (a task done before its source was deleted still counts as done); no window is invalid; before the
 * first day Draft, after the last day Failed, otherwise Ready (both ends included).
 */
export function stateFor(flags: { readonly resolved?: boolean | undefined; readonly deleted?: boolean | undefined }, window: TaskWindow | undefined, today: CalendarDate): EmissionState {
  if (flags.resolved === true) return 'Completed';
  if (flags.deleted === true) return 'Cancelled';
  if (window === undefined) return 'invalid';
  if (today < window.startDate) return 'Draft';
  if (today > window.endDate) return 'Failed';
  return 'Ready';
}

/** The state of an emission (fresh or stored) on `today`, its window read with `dates`. */
export function emissionState(emission: Emission | StoredEmission, today: CalendarDate, dates: CalendarDates): EmissionState {
  return stateFor(emission, displayWindow(emission, dates), today);
}

/**
 * A copy of `doc` in `state` at time `at`. `'invalid'` becomes Cancelled with reason `invalid`;
 * `reason` is kept only alongside the state it explains. `stateHistory` gets an entry only when the
 * state differs from its last entry (a task may go back to an earlier state, e.g. Ready → Draft
 * when its due date moves).
 */
export function withState(doc: TaskDoc, state: EmissionState, at: number, reason?: StateReason): TaskDoc {
  const next: TaskState = state === 'invalid' ? 'Cancelled' : state;
  const why = state === 'invalid' ? 'invalid' : reason;
  const last = doc.stateHistory[doc.stateHistory.length - 1];
  const stateHistory = last?.state === next ? doc.stateHistory : [...doc.stateHistory, { state: next, timestamp: at }];
  const { stateReason: _old, ...rest } = doc;
  return why === undefined ? { ...rest, state: next, stateHistory } : { ...rest, state: next, stateReason: why, stateHistory };
}
