/** Target emissions: one counted instance of a target, before deduplication and counting. */
import type { TargetDate } from './date.js';

/** One instance emitted for a target. Field names are CHT's, so emissions from existing code fit. */
export interface TargetEmission {
  /** Instance id, `<instance>~<target id>`: emissions with the same id count once. */
  readonly _id: string;
  /** The target definition's `id`. */
  readonly type: string;
  /** Whether this instance passes. */
  readonly pass: boolean;
  /**
   * When it counts, read as cht-core does: an instant (ms or `Date`), a `YYYY-MM-DD` day (local
   * midnight), an ISO date-time; none (or any falsy value) means "now", so it falls in the period
   * holding `now` (all-time counts). A date that cannot be read is never counted, and reported.
   */
  readonly date?: TargetDate;
  /** The contact whose data emitted it; the most recently reported one wins a shared id. */
  readonly contact: { readonly _id: string; readonly reported_date?: number };
  /** Group key for `passesIfGroupCount` targets. */
  readonly groupBy?: string;
  /** A deleted source: not counted. */
  readonly deleted?: boolean;
}

/** What a target counts and how it is shown, as configured in targets.js. */
export interface TargetSettings {
  readonly id: string;
  /** `count` (pass of total) or `percent` (pass / total, rounded). */
  readonly type: 'count' | 'percent';
  /** With `passesIfGroupCount`, a group passes when at least `gte` of its instances pass. */
  readonly passesIfGroupCount?: { readonly gte: number };
  /** A goal (count, or percent for percent targets); -1 or absent for none. */
  readonly goal?: number;
  /** Whether supervisors see this target aggregated over their supervisees. */
  readonly aggregate?: boolean;
}

/** The value of one target in one period: the target document's own value type. */
export type { TargetValue } from '../codecs/index.js';

/** Percent as targets show it: rounded to the nearest whole number, 0 of 0 is 0. */
export function percentOf(pass: number, total: number): number {
  return total === 0 ? 0 : Math.round((pass * 100) / total);
}
