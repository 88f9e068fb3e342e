/**
 * Tasks age without any data changing: a Draft becomes Ready on its first day and Failed after its
 * last. This recomputes the state of stored documents from their stored window, without running the
 * rules, so a task list can be correct the moment it is shown.
 */
import type { TaskDoc } from '../codecs/index.js';
import { calendarDates } from './calendar.js';
import type { CalendarDates } from './calendar.js';
import { FieldsyncTaskError } from './errors.js';
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
 * The documents whose state changed with time alone: live documents only (terminal ones never
 * change) and none authored after `now`.
 * @throws {@link FieldsyncTaskError} `invalid-time-zone` or `invalid-now`.
 */
export function ageTaskDocs(docs: Iterable<TaskDoc>, options: AgeOptions): TaskDoc[] {
  const dates = options.dates ?? calendarDates(options.timeZone);
  const today = dates.dateOf(options.now);
  if (today === undefined) throw new FieldsyncTaskError([{ kind: 'invalid-now', now: options.now }]);
  const writes: TaskDoc[] = [];
  for (const doc of docs) {
    if (isTerminal(doc.state) || doc.authoredOn > options.now) continue;
    const state = emissionState(doc.emission, today, dates);
    if (state !== doc.state) writes.push(withState(doc, state, options.now));
  }
  return writes;
}
