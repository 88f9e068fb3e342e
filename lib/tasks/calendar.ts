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

const DAY_MS = 86_400_000;

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
  const wall = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', calendar: 'gregory', numberingSystem: 'latn',
  });
  const slowDateOf = (ms: number): CalendarDate | undefined => {
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
  /** The zone's offset (ms) at a whole second, or NaN before 1 AD. */
  const offsetAt = (second: number): number => {
    const v: Record<string, number> = {};
    for (const part of wall.formatToParts(new Date(second))) {
      if (part.type === 'era') return Number.NaN;
      if (part.type !== 'literal') v[part.type] = Number(part.value);
    }
    const local = new Date(0);
    local.setUTCFullYear(v['year'] ?? 0, (v['month'] ?? 1) - 1, v['day'] ?? 1);
    local.setUTCHours(v['hour'] ?? 0, v['minute'] ?? 0, v['second'] ?? 0, 0);
    return local.getTime() - second;
  };
  // The offset of each UTC day without a transition, so most instants need no formatting at all.
  const dayOffsets = new Map<number, number>();
  const dateOf = (ms: number): CalendarDate | undefined => {
    if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
    const utcDay = Math.floor(ms / DAY_MS);
    let offset = dayOffsets.get(utcDay);
    if (offset === undefined) {
      const first = offsetAt(utcDay * DAY_MS);
      const last = offsetAt(utcDay * DAY_MS + DAY_MS - 1000);
      offset = first === last && Number.isFinite(first) ? first : Number.NaN;
      if (dayOffsets.size > 100_000) dayOffsets.clear();
      dayOffsets.set(utcDay, offset);
    }
    if (Number.isNaN(offset)) return slowDateOf(ms);
    const local = new Date(ms + offset);
    const year = local.getUTCFullYear();
    if (Number.isNaN(year) || year < 1 || year > 9999) return undefined;
    return `${pad(year, 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}` as CalendarDate;
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
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  // Days since 1970-01-01 on the proleptic Gregorian calendar (civil-from-days arithmetic, no Date).
  const serial = daysFromCivil(y, m, d) + Math.trunc(days);
  if (!Number.isSafeInteger(serial)) return undefined;
  const [year, month, day] = civilFromDays(serial);
  if (year < 1 || year > 9999) return undefined;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}` as CalendarDate;
}

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function civilFromDays(serial: number): [number, number, number] {
  const z = serial + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [era * 400 + yoe + (month <= 2 ? 1 : 0), month, day];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Local midnights found so far, per converter: a calculation asks for the same few days again and again. */
const midnights = new WeakMap<CalendarDates, Map<string, number>>();

/** The first instant (ms) of a local calendar day: found by search (as time zones move by minutes), remembered per converter. */
export function startOfLocalDay(date: CalendarDate, dates: CalendarDates): number {
  let known = midnights.get(dates);
  if (!known) midnights.set(dates, (known = new Map<string, number>()));
  const found = known.get(date);
  if (found !== undefined) return found;
  const midnight = searchMidnight(date, dates);
  if (known.size > 10_000) known.clear();
  known.set(date, midnight);
  return midnight;
}

function searchMidnight(date: CalendarDate, dates: CalendarDates): number {
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
