/**
 * Tasks age without any data changing: a Draft becomes Ready on its first day and Failed after its
 * last. This recomputes the state of stored documents from their stored window, without running the
 * rules, so a task list can be correct the moment it is shown.
 */
import type { TaskDoc } from '../codecs/index.js';
import { calendarDates } from './calendar.js';
import type { CalendarDates } from './calendar.js';
import { FieldsyncTaskError } from './errors.js';
import { isFinal } from './duplicates.js';
import { emissionState, isTerminal, withState } from './state.js';

/** When and where documents are aged. */
export interface AgeOptions {
  /** The time of the calculation (ms). */
  readonly now: number;
  /** IANA time zone; the device's when omitted. Ignored when `dates` is given. */
  readonly timeZone?: string;
  /** A prebuilt date converter. */
  readonly dates?: CalendarDates;
}

/**
 * The documents whose state changed with time alone: live documents only. Final terminal ones never
 * change; a Failed state recorded after `now` (by a clock ahead of this one) is not final and is
 * recomputed like a live one. Documents authored after `now` are aged like any other.
 * @throws {@link FieldsyncTaskError} `invalid-time-zone` or `invalid-now`.
 */
export function ageTaskDocs(docs: Iterable<TaskDoc>, options: AgeOptions): TaskDoc[] {
  const dates = options.dates ?? calendarDates(options.timeZone);
  const today = dates.dateOf(options.now);
  if (today === undefined) throw new FieldsyncTaskError([{ kind: 'invalid-now', now: options.now }]);
  const writes: TaskDoc[] = [];
  for (const doc of docs) {
    // Only Failed comes from time alone; a Cancelled or Completed state needs the rules to undo.
    if (isFinal(doc, options.now) || (isTerminal(doc.state) && doc.state !== 'Failed')) continue;
    const state = emissionState(doc.emission, today, dates);
    if (state === doc.state) continue;
    const reopened = isTerminal(doc.state) ? { ...doc, stateHistory: doc.stateHistory.filter((e) => e.timestamp <= options.now) } : doc;
    writes.push(withState(reopened, state, options.now));
  }
  return writes;
}
