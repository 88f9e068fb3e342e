/**
 * The display window of a task and whether it is timely. Dates are `YYYY-MM-DD` strings, which
 * order correctly as plain strings, so every comparison here is a string comparison.
 */
import type { CalendarDate } from '../codecs/index.js';
import { CalendarDate as CalendarDateCodec } from '../codecs/index.js';
import { addDays } from './calendar.js';
import type { CalendarDates } from './calendar.js';
import type { Emission, StoredEmission } from './emission.js';

/** The days a task is shown: from `startDate` to `endDate`, both included. */
export interface TaskWindow {
  readonly startDate: CalendarDate;
  readonly dueDate: CalendarDate;
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

function days(n: number | undefined): number | undefined {
  if (n === undefined) return 0;
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

/**
 * The window of an emission, or `undefined` when it has none that is valid (no date, a date that
 * does not parse or names a day that does not exist, `readyStart`/`readyEnd` that take it off the
 * calendar, or a start after the end). Explicit `startDate`/`endDate` (what a stored, minified
 * emission has) win; a lone `dueDate` or `date` is widened by `readyStart`/`readyEnd` days.
 */
export function displayWindow(emission: Emission | StoredEmission, dates: CalendarDates): TaskWindow | undefined {
  const explicit = (s: string | undefined) => (s === undefined ? undefined : CalendarDateCodec.is(s) ? s : null);
  const start = explicit(emission.startDate);
  const due = explicit(emission.dueDate);
  const end = explicit(emission.endDate);
  if (start === null || due === null || end === null) return undefined;
  let window: TaskWindow | undefined;
  if (start !== undefined || end !== undefined) {
    const startDate = start ?? due ?? end;
    const endDate = end ?? due ?? start;
    if (startDate === undefined || endDate === undefined) return undefined;
    window = { startDate, dueDate: due ?? endDate, endDate };
  } else {
    const raw = emission as Emission;
    const dueDate = due ?? dates.toDate(raw.date);
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
 * Whether a window is recent enough to get a task document on `today`: it ends less than
 * `pastDays` days ago (ending exactly 60 days ago is too old, 59 is fine) and starts less than
 * `futureDays` days ahead (179 days ahead is fine, 180 is too far).
 */
export function isTimely(window: TaskWindow | undefined, today: CalendarDate, limits: TimelyWindow = DEFAULT_TIMELY): boolean {
  if (window === undefined) return false;
  // Limits beyond the calendar are no limit at all.
  const earliest = addDays(today, -limits.pastDays) ?? '0000-00-00';
  const latest = addDays(today, limits.futureDays) ?? '9999-99-99';
  return window.endDate > earliest && window.startDate < latest;
}
