/**
 * The target document of one user for one reporting period:
 * `target~<YYYY-MM>~<owner contact>~<user>`. Written when a value changes and otherwise at most once
 * a day (to show the values were recomputed), never more.
 */
import { targetId } from '../codecs/index.js';
import type { CalendarDates } from '../tasks/calendar.js';
import type { ContactId, Period, TargetDoc, UserSettingsId } from '../codecs/index.js';
import type { TargetValue } from './emission.js';

/** What {@link targetDocToWrite} needs. */
export interface TargetDocInput {
  readonly user: UserSettingsId;
  /** The user's own contact. */
  readonly owner: ContactId;
  readonly period: Period;
  readonly values: ReadonlyArray<{ readonly id: string; readonly value: TargetValue }>;
  /** The stored document for this period, if any. */
  readonly existing?: TargetDoc;
  readonly now: number;
  /** Local calendar dates, for "once a day". */
  readonly dates: CalendarDates;
}

function sameValues(a: readonly TargetDoc['targets'][number][], b: TargetDocInput['values']): boolean {
  if (a.length !== b.length) return false;
  const byId = new Map(a.map((t) => [t.id, t.value]));
  return b.every(({ id, value }) => {
    const old = byId.get(id);
    return old !== undefined && old.pass === value.pass && old.total === value.total && old.percent === value.percent;
  });
}

/** The document to write, or `undefined` when nothing needs writing. */
export function targetDocToWrite(input: TargetDocInput): TargetDoc | undefined {
  const { existing, now, dates } = input;
  const targets = input.values.map(({ id, value }) => ({ id, value: { ...value } }));
  if (existing) {
    const unchanged = sameValues(existing.targets, input.values);
    if (unchanged && dates.dateOf(existing.updated_date) === dates.dateOf(now)) return undefined;
    // Entries keep whatever else an app stored on them.
    const merged = targets.map((t) => ({ ...existing.targets.find((old) => old.id === t.id), ...t }));
    return { ...existing, targets: merged, updated_date: now };
  }
  return {
    _id: targetId({ period: input.period, owner: input.owner, user: input.user }),
    type: 'target',
    user: input.user,
    owner: input.owner,
    reporting_period: input.period,
    updated_date: now,
    targets,
  };
}
