/**
 * When a target emission counts, read as cht-core reads it (`moment(emission.date)`): a falsy date
 * (but `NaN`) means "now" (how current and all-time counts work), a number is an instant, a `YYYY-MM-DD` string
 * is local midnight of that day in the calendar's zone, another ISO string is an instant. Anything
 * else (an object, an impossible day such as `2025-02-30`, a string that does not parse) cannot be
 * dated: it is never counted, and the caller reports it.
 */
import { CalendarDate } from '../codecs/index.js';
import { startOfLocalDay } from '../tasks/calendar.js';
import type { CalendarDates } from '../tasks/calendar.js';

/** What dating an emission needs: the time now (for undated ones) and the zone (for `YYYY-MM-DD` days). */
export interface TargetClock {
  /** The time of the calculation (ms): undated emissions count in the period holding it. */
  readonly now: number;
  /** The time zone `YYYY-MM-DD` dates are read in. */
  readonly dates: CalendarDates;
}

/** A target emission's date as a rule may give it. */
export type TargetDate = number | string | Date | null | undefined | boolean;

const ISO_DAY = /^(\d{4}-\d{2}-\d{2})(?:$|T)/;

/** The instant (ms) a target emission counts at, or `undefined` when its date cannot be read (or needs a clock that was not given). */
export function targetInstant(date: unknown, clock: TargetClock | undefined): number | undefined {
  if (typeof date === 'number' && Number.isNaN(date)) return undefined;
  if (!date) return clock?.now;
  if (typeof date === 'number') return Number.isFinite(date) ? date : undefined;
  if (date instanceof Date) {
    const ms = date.getTime();
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (typeof date !== 'string') return undefined;
  if (CalendarDate.is(date)) return clock ? startOfLocalDay(date, clock.dates) : undefined;
  const day = ISO_DAY.exec(date)?.[1];
  if (day === undefined || !CalendarDate.is(day)) return undefined;
  const ms = Date.parse(date);
  return Number.isFinite(ms) ? ms : undefined;
}
