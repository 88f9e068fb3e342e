/**
 * The display window of a task and whether it is timely. Dates are `YYYY-MM-DD` strings, which
 * order correctly as plain strings, so every comparison here is a string comparison.
 */
import type { CalendarDate } from '../codecs/index.js';
import { CalendarDate as CalendarDateCodec } from '../codecs/index.js';
import { addDays, startOfLocalDay } from './calendar.js';
import type { CalendarDates } from './calendar.js';
import type { Emission, StoredEmission } from './emission.js';

/** The days a task is shown: from `startDate` to `endDate`, both included. */
export interface TaskWindow {
  readonly startDate: CalendarDate;
  /** Absent only when an explicit window was emitted without one, as cht-core stores it then. */
  readonly dueDate?: CalendarDate;
  readonly endDate: CalendarDate;
}

/** How far back and ahead (in days) an emission may be and still get a task document. */
export interface TimelyWindow {
  /** The window must end after this many days ago (CHT: 60). */
  readonly pastDays: number;
  /** The window must start before this many days ahead (CHT: 180). */
  readonly futureDays: number;
}

/** CHT's limits: documents only for tasks ending within the last 60 days and starting within the next 180. */
export const DEFAULT_TIMELY: TimelyWindow = { pastDays: 60, futureDays: 180 };

/**
 * `readyStart`/`readyEnd` as cht-core reads them (`value || 0`, then moment's day arithmetic):
 * absent, `null`, `0` and `NaN` are 0; a fraction is rounded half away from zero (1.5 is 2, -1.5 is
 * -2); an infinite or non-number value has no window.
 */
function days(n: unknown): number | undefined {
  if (!n) return 0;
  if (typeof n !== 'number' || !Number.isFinite(n)) return undefined;
  return n < 0 ? -Math.round(-n) : Math.round(n);
}

/**
 * The window of an emission, or `undefined` when it has none that is valid, as cht-core's
 * `getDisplayWindow` and `calculateState` decide:
 * - an explicit `startDate` or `endDate` (what a stored, minified emission has) is used as it is:
 *   both are needed (a one-sided window is invalid), and so is a `date` or `dueDate` (the `dueDate`
 *   is kept when given, never invented);
 * - otherwise `date` (any truthy value: `0` and `''` are no date) minus `readyStart` days to `date`
 *   plus `readyEnd` days; fieldsync alone reads a lone `dueDate` here as the due day;
 * - dates that do not parse or name a day that does not exist, a window off the calendar
 *   (`readyStart: 1e9`) and a start after the end are invalid.
 */
export function displayWindow(emission: Emission | StoredEmission, dates: CalendarDates): TaskWindow | undefined {
  const explicit = (s: string | undefined) => (!s ? undefined : CalendarDateCodec.is(s) ? s : null);
  const start = explicit(emission.startDate);
  const due = explicit(emission.dueDate);
  const end = explicit(emission.endDate);
  if (start === null || due === null || end === null) return undefined;
  const raw = emission as Emission;
  let window: TaskWindow | undefined;
  if (emission.startDate || emission.endDate) {
    if (!raw.date && !emission.dueDate) return undefined;
    if (start === undefined || end === undefined) return undefined;
    window = due === undefined ? { startDate: start, endDate: end } : { startDate: start, dueDate: due, endDate: end };
  } else {
    const dueDate = raw.date ? dates.toDate(raw.date) : due;
    const before = days(raw.readyStart);
    const after = days(raw.readyEnd);
    if (dueDate === undefined || before === undefined || after === undefined) return undefined;
    const startDate = addDays(dueDate, -before);
    const endDate = addDays(dueDate, after);
    // A window that leaves the calendar (readyStart: 1e9) has no dates: invalid, as in cht-core.
    if (startDate === undefined || endDate === undefined) return undefined;
    window = { startDate, dueDate, endDate };
  }
  return window.startDate <= window.endDate ? window : undefined;
}

/**
 * Whether a window is recent enough to get a task document at `now`, as cht-core's `isTimely`
 * compares instants: the local midnight that starts `endDate` must come after `now` minus
 * `pastDays` days (so ending exactly 60 days ago is too old, 59 is fine), and the midnight that
 * starts `startDate` before `now` plus `futureDays` days (so 180 days ahead is fine except at the
 * very instant of local midnight, 181 is too far).
 */
export function isTimely(window: TaskWindow | undefined, now: number, dates: CalendarDates, limits: TimelyWindow = DEFAULT_TIMELY): boolean {
  if (window === undefined) return false;
  const today = dates.dateOf(now);
  if (today === undefined) return false;
  // Limits beyond the calendar are no limit at all.
  const earliest = addDays(today, -limits.pastDays) ?? '0000-00-00';
  const latest = addDays(today, limits.futureDays) ?? '9999-99-99';
  const afterMidnight = now > startOfLocalDay(today, dates);
  return window.endDate > earliest && (window.startDate < latest || (afterMidnight && window.startDate === latest));
}
