/**
 * Supervisor aggregates: from the target documents of the users under a supervisor, the value per
 * supervisee and a total per target for one period. Without a goal the total sums pass and total;
 * with a goal it counts the supervisees who met it (out of all supervisees). A supervisee without a
 * document for the period counts as 0 of 0.
 */
import { parseTargetId } from '../codecs/index.js';
import type { Period, TargetDoc } from '../codecs/index.js';
import type { TargetSettings, TargetValue } from './emission.js';
import { percentOf } from './emission.js';

/** One target across the supervisees. */
export interface TargetAggregate {
  readonly id: string;
  /** Each supervisee's value, by owner contact id, in the order given. */
  readonly bySupervisee: ReadonlyArray<{ readonly owner: string; readonly value: TargetValue }>;
  /** Sum of pass/total (no goal), or supervisees who met the goal / all supervisees. */
  readonly total: TargetValue;
  /** With a goal: how many supervisees met it. */
  readonly metGoal?: number;
}

function met(settings: TargetSettings, value: TargetValue): boolean {
  const goal = settings.goal ?? -1;
  return settings.type === 'percent' ? (value.percent ?? percentOf(value.pass, value.total)) >= goal : value.pass >= goal;
}

/**
 * Aggregates `docs` (any order; other periods and non-supervisees are ignored) for `period` over the
 * targets marked `aggregate`. `supervisees` are the owner contact ids to show.
 */
export function aggregateTargets(
  settings: readonly TargetSettings[], docs: Iterable<TargetDoc>, supervisees: readonly string[], period: Period,
): TargetAggregate[] {
  const latest = new Map<string, TargetDoc>();
  for (const doc of docs) {
    const parts = parseTargetId(doc._id);
    const docPeriod = doc.reporting_period ?? parts?.period;
    if (docPeriod !== period || !supervisees.includes(doc.owner)) continue;
    // Two users sharing a contact, or a conflict: the most recently updated wins, then the greater id.
    const seen = latest.get(doc.owner);
    if (!seen || doc.updated_date > seen.updated_date || (doc.updated_date === seen.updated_date && doc._id > seen._id)) latest.set(doc.owner, doc);
  }
  return settings.filter((s) => s.aggregate === true).map((s) => {
    const bySupervisee = supervisees.map((owner) => {
      const entry = latest.get(owner)?.targets.find((t) => t.id === s.id);
      return { owner, value: entry ? { pass: entry.value.pass, total: entry.value.total, ...(entry.value.percent !== undefined ? { percent: entry.value.percent } : {}) } : { pass: 0, total: 0 } };
    });
    if ((s.goal ?? -1) >= 0) {
      const metGoal = bySupervisee.filter(({ value }) => met(s, value)).length;
      return { id: s.id, bySupervisee, metGoal, total: { pass: metGoal, total: supervisees.length, percent: percentOf(metGoal, supervisees.length) } };
    }
    const pass = bySupervisee.reduce((n, { value }) => n + value.pass, 0);
    const total = bySupervisee.reduce((n, { value }) => n + value.total, 0);
    return { id: s.id, bySupervisee, total: s.type === 'percent' ? { pass, total, percent: percentOf(pass, total) } : { pass, total } };
  });
}

/**
 * The supervisees of a place: the primary contacts of the places directly under it, from stored
 * place documents (any order).
 */
export function superviseesOf(places: Iterable<{ readonly _id: string; readonly parent?: { readonly _id?: string }; readonly contact?: unknown }>, homePlaceId: string): string[] {
  const out: string[] = [];
  for (const place of places) {
    if (place.parent?._id !== homePlaceId) continue;
    const contact = place.contact;
    const id = typeof contact === 'string' ? contact : typeof contact === 'object' && contact !== null ? (contact as { _id?: unknown })._id : undefined;
    if (typeof id === 'string' && id !== '') out.push(id);
  }
  return out.sort();
}
