/**
 * Calendar dates in a time zone. Task windows are whole local days (`YYYY-MM-DD`), so "is it due
 * today?" depends on where the device is: 23:30 on the 1st in Los Angeles is already the 2nd in
 * Auckland. Day arithmetic is done on the calendar date itself, never by adding 24 h to an instant,
 * so daylight-saving days are still one day long.
 */
import type { CalendarDate } from '../codecs/index.js';
import { CalendarDate as CalendarDateCodec } from '../codecs/index.js';
import { FieldsyncTaskError } from './errors.js';

/** A moment as a task rule may give it: epoch milliseconds, a `Date`, an ISO string or a `YYYY-MM-DD` date. */
export type DateInput = number | string | Date;

/** The device's IANA time zone, as the JavaScript runtime reports it. */
export function deviceTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Converts instants to calendar dates in one time zone. */
export interface CalendarDates {
  /** The IANA time zone used. */
  readonly timeZone: string;
  /** The local calendar date of an instant (ms), or `undefined` when it is not a finite, representable time. */
  readonly dateOf: (ms: number) => CalendarDate | undefined;
  /**
   * The local calendar date of a rule's date: a `YYYY-MM-DD` string is taken as it is (it already
   * names a day); numbers, `Date`s and other strings are instants. `undefined` when invalid, including
   * an ISO string whose day does not exist (`2025-02-30`, `2025-02-29T10:00Z`), in every zone.
   */
  readonly toDate: (value: DateInput | null | undefined) => CalendarDate | undefined;
}

/** The leading `YYYY-MM-DD` of an ISO 8601 date or date-time string. */
const ISO_DAY = /^(\d{4}-\d{2}-\d{2})(?:$|T)/;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * Builds the converter for a time zone (the device's when omitted). Build it once per calculation:
 * creating the underlying `Intl.DateTimeFormat` is the expensive part.
 * @throws {@link FieldsyncTaskError} `invalid-time-zone` when the runtime does not know `timeZone`.
 */
export function calendarDates(timeZone: string = deviceTimeZone()): CalendarDates {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', calendar: 'gregory', numberingSystem: 'latn' });
  } catch {
    throw new FieldsyncTaskError([{ kind: 'invalid-time-zone', timeZone }]);
  }
  const dateOf = (ms: number): CalendarDate | undefined => {
    if (!Number.isFinite(ms)) return undefined;
    const when = new Date(ms);
    if (Number.isNaN(when.getTime())) return undefined;
    let year = 0;
    let month = 0;
    let day = 0;
    for (const part of format.formatToParts(when)) {
      if (part.type === 'year') year = Number(part.value);
      else if (part.type === 'month') month = Number(part.value);
      else if (part.type === 'day') day = Number(part.value);
      // Years before 1 AD come with an era part; they are not dates a task can have.
      else if (part.type === 'era') return undefined;
    }
    if (year < 1 || year > 9999) return undefined;
    return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}` as CalendarDate;
  };
  const toDate = (value: DateInput | null | undefined): CalendarDate | undefined => {
    if (value === null || value === undefined) return undefined;
    if (typeof value === 'number') return dateOf(value);
    if (value instanceof Date) return dateOf(value.getTime());
    if (CalendarDateCodec.is(value)) return value;
    // A string that starts as an ISO date names that day: an impossible one (2025-02-30) is invalid,
    // never rolled over by the runtime's parser into a day that depends on the time zone.
    const isoDay = ISO_DAY.exec(value)?.[1];
    if (isoDay !== undefined && !CalendarDateCodec.is(isoDay)) return undefined;
    return value === '' ? undefined : dateOf(Date.parse(value));
  };
  return { timeZone, dateOf, toDate };
}

/**
 * `date` plus `days` calendar days (negative to go back), or `undefined` when the result is not a
 * date of years 1 to 9999 (as `readyStart: 1e9` would give) or `days` is not finite.
 */
export function addDays(date: CalendarDate, days: number): CalendarDate | undefined {
  if (!Number.isFinite(days)) return undefined;
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const at = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  at.setUTCFullYear(y, m - 1, d + Math.trunc(days));
  const year = at.getUTCFullYear();
  if (Number.isNaN(year) || year < 1 || year > 9999) return undefined;
  return `${pad(year, 4)}-${pad(at.getUTCMonth() + 1, 2)}-${pad(at.getUTCDate(), 2)}` as CalendarDate;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The first instant (ms) of a local calendar day: found by search, as time zones move by minutes. */
export function startOfLocalDay(date: CalendarDate, dates: CalendarDates): number {
  const noonUtc = Date.parse(`${date}T12:00:00Z`);
  // Local midnight of any zone (UTC-12 to UTC+14) lies between 26 h before and 12 h after 12:00 UTC.
  let low = Math.floor((noonUtc - 26 * HOUR) / MINUTE);
  let high = Math.ceil((noonUtc + 12 * HOUR) / MINUTE);
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if ((dates.dateOf(mid * MINUTE) ?? '') >= date) high = mid;
    else low = mid + 1;
  }
  return low * MINUTE;
}
