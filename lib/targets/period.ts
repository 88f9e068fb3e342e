/**
 * Reporting periods. With month start day 1 a period is a calendar month. With start day N it runs
 * from day N of one month to the day before the next period starts; a month too short to have day N
 * starts no period of its own (the previous one runs to its end and the next starts on the 1st of the
 * following month), as CHT does: with 31, periods are 12-31..01-30, 01-31..02-28, 03-01..03-30.
 * A period is named by the month of its last day (`YYYY-MM`).
 */
import type { CalendarDate, Period } from '../codecs/index.js';
import { addDays, startOfLocalDay } from '../tasks/calendar.js';
import type { CalendarDates } from '../tasks/calendar.js';
import { FieldsyncTargetError } from './errors.js';

const HOUR = 3_600_000;

/** One reporting period: both ends included. */
export interface ReportingPeriod {
  readonly start: CalendarDate;
  readonly end: CalendarDate;
  /** `YYYY-MM` of the last day: the period of the target document. */
  readonly period: Period;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate(); // m is 1-based
const toDate = (y: number, m: number, d: number): CalendarDate => `${pad(y, 4)}-${pad(m)}-${pad(d)}` as CalendarDate;

/** Normalises (year, month) with month possibly outside 1..12. */
function ym(year: number, month: number): [number, number] {
  const index = year * 12 + (month - 1);
  return [Math.floor(index / 12), (index % 12) + 1];
}

/** The day a period starts in month (y, m): day N, or the 1st of the next month when m is too short. */
function startIn(year: number, month: number, startDay: number): CalendarDate {
  if (startDay <= daysIn(year, month)) return toDate(year, month, startDay);
  const [y, m] = ym(year, month + 1);
  return toDate(y, m, 1);
}

function dayBefore(date: CalendarDate): CalendarDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  if (d > 1) return toDate(y, m, d - 1);
  const [py, pm] = ym(y, m - 1);
  return toDate(py, pm, daysIn(py, pm));
}

/**
 * The reporting period containing `date` for a month start day of 1 to 31.
 * @throws {@link FieldsyncTargetError} `invalid-month-start-day` for anything else.
 */
export function reportingPeriod(date: CalendarDate, monthStartDay = 1): ReportingPeriod {
  if (!Number.isInteger(monthStartDay) || monthStartDay < 1 || monthStartDay > 31) {
    throw new FieldsyncTargetError([{ kind: 'invalid-month-start-day', value: monthStartDay }]);
  }
  const [y, m] = date.split('-').map(Number) as [number, number];
  const starts = [-2, -1, 0, 1, 2].map((offset) => startIn(...ym(y, m + offset), monthStartDay));
  const unique = [...new Set(starts)].sort();
  let index = 0;
  unique.forEach((s, i) => { if (s <= date) index = i; });
  const start = unique[index] as CalendarDate;
  const end = dayBefore(unique[index + 1] as CalendarDate);
  return { start, end, period: end.slice(0, 7) as Period };
}

/** The instants (ms, both ends included) a reporting period covers in the converter's time zone. */
export function periodBounds(period: ReportingPeriod, dates: CalendarDates): { readonly from: number; readonly to: number } {
  const next = addDays(period.end, 1);
  const to = next === undefined ? Date.parse(`${period.end}T23:59:59.999Z`) + 14 * HOUR : startOfLocalDay(next, dates) - 1;
  return { from: startOfLocalDay(period.start, dates), to };
}

/**
 * The previous reporting period as cht-core's `calendar-interval` gives it (`getPrevious`): the
 * period that holds the same day one month before `date` (the last day of that month when it is
 * shorter). With a month start day above 28 this can skip a short period: with 31, on 03-31 (period
 * 03-31…04-30) it gives 01-31…02-28, not 03-01…03-30. The period just before is
 * `reportingPeriod(addDays(period.start, -1), monthStartDay)`.
 * @throws {@link FieldsyncTargetError} `invalid-month-start-day` for a start day outside 1 to 31.
 */
export function previousReportingPeriod(date: CalendarDate, monthStartDay = 1): ReportingPeriod {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [py, pm] = ym(y, m - 1);
  return reportingPeriod(toDate(py, pm, Math.min(d, daysIn(py, pm))), monthStartDay);
}
