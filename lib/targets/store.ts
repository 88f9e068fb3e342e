/**
 * Target values kept up to date incrementally. Emissions are stored per target, instance id and
 * requester; when one contact's data changes only its emissions are replaced and only the instances
 * they touch are re-counted, so a refresh after one report costs that report, not the whole
 * catchment. Counting follows CHT: instances outside the period are ignored, a shared instance id
 * counts once (the most recently reported requester wins), and with `passesIfGroupCount` the total is
 * the number of groups and a group passes with enough passing instances. When one requester emits an
 * instance id several times, the last one emitted is the one kept (as cht-core stores them), and only
 * then is its date compared with the period.
 */
import { targetInstant } from './date.js';
import type { TargetClock } from './date.js';
import type { TargetEmission, TargetSettings, TargetValue } from './emission.js';
import { percentOf } from './emission.js';
import { FieldsyncTargetError } from './errors.js';
import type { TargetProblem } from './errors.js';

interface Entry { readonly pass: boolean; readonly groupBy: string | undefined; readonly order: number; readonly requester: string }

interface Tally {
  pass: number;
  total: number;
  /** groupBy -> [passing instances, instances]. */
  readonly groups: Map<string, [number, number]>;
}

/** Inclusive bounds of the period counted (ms). */
export interface CountedRange {
  readonly from: number;
  readonly to: number;
}

/** What {@link TargetStore.update} changed, as cht-core's target state reports `isUpdated`. */
export interface TargetUpdate {
  /** Whether what the store holds for the requester changed (an instance added, removed, or with another pass, group or order). */
  readonly emissionsChanged: boolean;
  /** Whether any target's pass or total changed: the target document needs writing. */
  readonly valuesChanged: boolean;
  /** Emissions whose date cannot be read (`invalid-target-date`); they are not counted. */
  readonly problems: readonly TargetProblem[];
}

/**
 * The order of keys of a JavaScript object, which is the order of `targets` in cht-core's target
 * document: integer-like ids (`'0'`, `'7'`, not `'07'`) ascending first, then the others as given.
 */
function objectKeyOrder<T extends { readonly id: string }>(items: readonly T[]): T[] {
  const isIndex = (id: string): boolean => /^(0|[1-9]\d*)$/.test(id) && Number(id) < 4_294_967_295;
  const indices = items.filter((t) => isIndex(t.id)).sort((a, b) => Number(a.id) - Number(b.id));
  return [...indices, ...items.filter((t) => !isIndex(t.id))];
}

/** An incrementally maintained set of target values for one period. */
export class TargetStore {
  private readonly settings: ReadonlyMap<string, TargetSettings>;
  /** target -> instance id -> requester -> entry. */
  private readonly entries = new Map<string, Map<string, Map<string, Entry>>>();
  /** target -> instance id -> the entry counted. */
  private readonly winners = new Map<string, Map<string, Entry>>();
  private readonly tallies = new Map<string, Tally>();
  /** requester -> the (target, instance) pairs it emitted. */
  private readonly byRequester = new Map<string, Array<[string, string]>>();

  /**
   * A store counting `range` for the given targets. `clock` dates emissions without a date (they
   * count at `clock.now`) and reads `YYYY-MM-DD` dates in its zone; without it such emissions
   * cannot be dated and are reported instead of counted.
   */
  constructor(settings: readonly TargetSettings[], private readonly range: CountedRange, private readonly clock?: TargetClock) {
    this.settings = new Map(settings.map((s) => [s.id, s]));
    for (const s of settings) this.tallies.set(s.id, { pass: 0, total: 0, groups: new Map() });
  }

  /**
   * Replaces everything `requester` emitted with `emissions` (possibly none). Emissions of unknown
   * targets, deleted ones and ones dated outside the period are not counted. Returns the emissions
   * whose date cannot be read (`invalid-target-date`): they are not counted either.
   */
  replace(requester: string, emissions: readonly TargetEmission[]): TargetProblem[] {
    return [...this.update(requester, emissions).problems];
  }

  /**
   * {@link TargetStore.replace}, telling what changed: whether the requester's stored instances
   * changed and whether any target value did (so an app knows when to write the target document).
   * cht-core's `storeTargetEmissions` says "updated" whenever the contact had or has any emission;
   * this compares what is stored.
   */
  update(requester: string, emissions: readonly TargetEmission[]): TargetUpdate {
    const before = this.snapshot(requester);
    const valuesBefore = this.valueKey();
    const problems = this.store(requester, emissions);
    return { emissionsChanged: before !== this.snapshot(requester), valuesChanged: valuesBefore !== this.valueKey(), problems };
  }

  private snapshot(requester: string): string {
    const parts: string[] = [];
    for (const [target, instance] of this.byRequester.get(requester) ?? []) {
      const e = this.entries.get(target)?.get(instance)?.get(requester);
      if (e) parts.push(`${target}\u0000${instance}\u0000${String(e.pass)}\u0000${e.groupBy ?? ''}\u0000${e.order}`);
    }
    return parts.sort().join('\n');
  }

  private valueKey(): string {
    return [...this.tallies.values()].map((t) => `${t.pass}/${t.total}`).join(',');
  }

  private store(requester: string, emissions: readonly TargetEmission[]): TargetProblem[] {
    const touched = new Set<string>();
    for (const [target, instance] of this.byRequester.get(requester) ?? []) {
      this.entries.get(target)?.get(instance)?.delete(requester);
      touched.add(`${target}\u0000${instance}`);
    }
    // The last emission of each instance id, as cht-core stores them; then the period filter.
    const latest = new Map<string, TargetEmission>();
    for (const e of emissions) {
      if (this.settings.has(e.type) && e.deleted !== true) latest.set(`${e.type}\u0000${e._id}`, e);
    }
    const problems: TargetProblem[] = [];
    const mine: Array<[string, string]> = [];
    for (const e of latest.values()) {
      const at = targetInstant(e.date, this.clock);
      if (at === undefined) {
        problems.push({ kind: 'invalid-target-date', emissionId: e._id, requester, date: e.date });
        continue;
      }
      if (at < this.range.from || at > this.range.to) continue;
      let byInstance = this.entries.get(e.type);
      if (!byInstance) this.entries.set(e.type, (byInstance = new Map<string, Map<string, Entry>>()));
      let byRequester = byInstance.get(e._id);
      if (!byRequester) byInstance.set(e._id, (byRequester = new Map<string, Entry>()));
      // A falsy groupBy ('' or 0) is no group, as in cht-core; others group by their string.
      const groupBy = (e.groupBy as unknown) ? String(e.groupBy) : undefined;
      byRequester.set(requester, { pass: Boolean(e.pass), groupBy, order: e.contact.reported_date || -1, requester });
      mine.push([e.type, e._id]);
      touched.add(`${e.type}\u0000${e._id}`);
    }
    if (mine.length > 0) this.byRequester.set(requester, mine);
    else this.byRequester.delete(requester);
    for (const key of touched) {
      const [target, instance] = key.split('\u0000') as [string, string];
      this.recount(target, instance);
    }
    return problems;
  }

  /**
   * The current value of every target, in the order of cht-core's target document (object-key
   * order: integer-like ids ascending first, then the others in the order the settings were given).
   */
  values(): Array<{ readonly id: string; readonly value: TargetValue }> {
    return objectKeyOrder([...this.settings.values()]).map((s) => {
      const tally = this.tallies.get(s.id) as Tally;
      const { pass, total } = tally;
      return { id: s.id, value: s.type === 'percent' ? { pass, total, percent: percentOf(pass, total) } : { pass, total } };
    });
  }

  private recount(target: string, instance: string): void {
    const winners = this.winners.get(target) ?? new Map<string, Entry>();
    this.winners.set(target, winners);
    const before = winners.get(instance);
    let best: Entry | undefined;
    for (const entry of this.entries.get(target)?.get(instance)?.values() ?? []) {
      // Most recently reported requester wins; ties go to the greater id, so input order never matters.
      if (!best || entry.order > best.order || (entry.order === best.order && entry.requester > best.requester)) best = entry;
    }
    if (before === best) return;
    if (before) this.count(target, before, -1);
    if (best) { winners.set(instance, best); this.count(target, best, +1); } else winners.delete(instance);
  }

  private count(target: string, entry: Entry, sign: 1 | -1): void {
    const settings = this.settings.get(target) as TargetSettings;
    const tally = this.tallies.get(target) as Tally;
    const needed = settings.passesIfGroupCount?.gte;
    if (needed === undefined) {
      tally.total += sign;
      if (entry.pass) tally.pass += sign;
      return;
    }
    if (entry.groupBy === undefined) return; // CHT ignores ungrouped instances of a group target
    const group = tally.groups.get(entry.groupBy) ?? [0, 0];
    const passedBefore = group[0] >= needed;
    const existedBefore = group[1] > 0;
    if (entry.pass) group[0] += sign;
    group[1] += sign;
    if (group[1] === 0) tally.groups.delete(entry.groupBy);
    else tally.groups.set(entry.groupBy, group);
    tally.total += (group[1] > 0 ? 1 : 0) - (existedBefore ? 1 : 0);
    tally.pass += (group[1] > 0 && group[0] >= needed ? 1 : 0) - (passedBefore ? 1 : 0);
  }
}

/**
 * Counts a whole set of emissions at once (a fresh store fed every requester).
 * @throws {@link FieldsyncTargetError} `invalid-target-date` listing every emission whose date cannot be read.
 */
export function countTargets(
  settings: readonly TargetSettings[], range: CountedRange, byRequester: ReadonlyMap<string, readonly TargetEmission[]>, clock?: TargetClock,
): Array<{ readonly id: string; readonly value: TargetValue }> {
  const store = new TargetStore(settings, range, clock);
  const problems: TargetProblem[] = [];
  for (const [requester, emissions] of byRequester) problems.push(...store.replace(requester, emissions));
  const [first, ...rest] = problems;
  if (first) throw new FieldsyncTargetError([first, ...rest]);
  return store.values();
}
