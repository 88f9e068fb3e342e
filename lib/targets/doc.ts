/**
 * The target document of one user for one reporting period:
 * `target~<YYYY-MM>~<owner contact>~<user>`, written as cht-core writes it: when it is missing or a
 * value's pass or total changed, with `updated_date` the local start of the day. Both write the
 * same ids, so a device moving between a CHT webapp and fieldsync writes the same document.
 */
import { targetId } from '../codecs/index.js';
import { startOfLocalDay } from '../tasks/calendar.js';
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
  /** Local calendar dates, for `updated_date` (the local start of the day). */
  readonly dates: CalendarDates;
}

function sameValues(a: readonly TargetDoc['targets'][number][], b: TargetDocInput['values']): boolean {
  if (a.length !== b.length) return false;
  const byId = new Map(a.map((t) => [t.id, t.value]));
  return b.every(({ id, value }) => {
    const old = byId.get(id);
    return old !== undefined && old.pass === value.pass && old.total === value.total;
  });
}

/**
 * The document to write, or `undefined` when nothing needs writing: cht-core writes a target
 * document when it is missing or when some target's pass or total differs, and sets
 * `updated_date` to the local start of the day of `now`.
 */
export function targetDocToWrite(input: TargetDocInput): TargetDoc | undefined {
  const { existing, now, dates } = input;
  const targets = input.values.map(({ id, value }) => ({ id, value: { ...value } }));
  const today = dates.dateOf(now);
  const updated_date = today === undefined ? now : startOfLocalDay(today, dates);
  if (existing) {
    if (sameValues(existing.targets, input.values)) return undefined;
    // Entries keep whatever else an app stored on them.
    const merged = targets.map((t) => ({ ...existing.targets.find((old) => old.id === t.id), ...t }));
    return { ...existing, targets: merged, updated_date };
  }
  return {
    _id: targetId({ period: input.period, owner: input.owner, user: input.user }),
    type: 'target',
    user: input.user,
    owner: input.owner,
    reporting_period: input.period,
    updated_date,
    targets,
  };
}
