/**
 * A stand-in for cht-nootils (what cht-core gives a config as `Utils`), written for these tests:
 * the same few functions, in the process's local time as nootils works, with the clock given.
 */
export interface TestUtils {
  readonly isTimely: () => boolean;
  readonly addDate: (date: Date | null | undefined, days: number) => Date;
  readonly isFormSubmittedInWindow: (reports: ReadonlyArray<{ form?: string; reported_date?: number }>, forms: string | readonly string[], start: number, end: number) => boolean;
  readonly now: () => Date;
  readonly MS_IN_DAY: number;
}

/** Utils whose `now()` is `clock()`. */
export function testUtils(clock: () => number): TestUtils {
  const now = (): Date => new Date(clock());
  return {
    isTimely: () => true,
    addDate: (date, days) => {
      const result = date ? new Date(date.getTime()) : now();
      result.setDate(result.getDate() + days);
      result.setHours(0, 0, 0, 0);
      return result;
    },
    isFormSubmittedInWindow: (reports, forms, start, end) => {
      const list = typeof forms === 'string' ? [forms] : forms;
      return reports.some((r) => r.form !== undefined && list.includes(r.form) && (r.reported_date ?? Number.NaN) >= start && (r.reported_date ?? Number.NaN) <= end);
    },
    now,
    MS_IN_DAY: 86_400_000,
  };
}
