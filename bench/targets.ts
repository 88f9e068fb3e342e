/**
 * Target values after one contact's data changed: the incremental store against cht-core's shape
 * (its target state keeps every emission by target, instance and requester; storing a contact's
 * emissions first clears that contact from every instance of every target, and reading the values
 * re-aggregates every stored emission: period filter, latest requester per instance, counts),
 * on the same data in one process. The cht-core side here compares plain numbers where cht-core
 * calls moment's isBetween, so it is faster than cht-core itself.
 *
 * Data: 100,000 emissions over 12 targets (count, percent and group-count targets) from 5,000
 * requesters, with shared instance ids (two requesters emitting the same instance) and dates spread
 * over a year, counted for the current period. One operation: replace one requester's 20 emissions
 * and read the values. Each side is timed over many consecutive operations (2,000 incremental, 40
 * cht-core-shaped), so one call's timer resolution and the machine's load at one instant do not
 * decide the ratio. A rebuild of everything from scratch is printed for reference.
 *
 * Ratio: cht-core-shaped time per operation / incremental time per operation (goal >= 100).
 */
import { seededRandom } from '../lib/seed/random.js';
import { countTargets, TargetStore } from '../lib/targets/index.js';
import type { TargetEmission, TargetSettings } from '../lib/targets/index.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20);
const random = seededRandom(12);
const settings: TargetSettings[] = Array.from({ length: 12 }, (_, i) => (
  i % 3 === 0 ? { id: `t${i}`, type: 'count' as const }
    : i % 3 === 1 ? { id: `t${i}`, type: 'percent' as const }
      : { id: `t${i}`, type: 'count' as const, passesIfGroupCount: { gte: 2 } }
));
const range = { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 30, 23, 59, 59, 999) };

function emissionsOf(requester: number, variant: number): TargetEmission[] {
  return Array.from({ length: 20 }, (_, k) => {
    const target = settings[(requester + k) % settings.length] as TargetSettings;
    // Neighbouring requesters share some instance ids (a patient seen by two households' contacts).
    const instance = k % 5 === 0 ? `shared-${Math.floor(requester / 2)}-${k}` : `r${requester}-${k}`;
    return {
      _id: `${instance}~${target.id}`, type: target.id, pass: random.next() < (variant ? 0.3 : 0.6),
      date: k % 4 === 0 ? NOW : NOW - random.int(0, 365) * DAY,
      contact: { _id: `c${requester}`, reported_date: requester },
      ...(target.passesIfGroupCount ? { groupBy: `g${requester % 300}` } : {}),
    };
  });
}

const byRequester = new Map<string, TargetEmission[]>();
for (let r = 0; r < 5_000; r += 1) byRequester.set(`c${r}`, emissionsOf(r, 0));
const total = [...byRequester.values()].reduce((n, list) => n + list.length, 0);

let start = performance.now();
const store = new TargetStore(settings, range);
for (const [r, list] of byRequester) store.replace(r, list);
const buildMs = performance.now() - start;
console.log(`${total} emissions, ${settings.length} targets, ${byRequester.size} requesters: first count ${buildMs.toFixed(0)} ms (${Math.round(total / (buildMs / 1000))} emissions/s)`);

/** cht-core's target state, as its target-state module keeps it (plain numbers instead of moment). */
class ChtShapedState {
  private readonly targets = new Map<string, { settings: TargetSettings; emissions: Record<string, Record<string, { pass: boolean; groupBy?: string; date: number; order: number }>> }>();
  constructor(list: readonly TargetSettings[]) {
    for (const t of list) this.targets.set(t.id, { settings: t, emissions: {} });
  }
  /** cht-core's storeTargetEmissions for some contacts: clear them from every instance of every target, then merge. */
  store(contactId: string, emissions: readonly TargetEmission[]): void {
    this.clear(contactId);
    this.merge(emissions);
  }
  private clear(contactId: string): void {
    for (const target of this.targets.values()) {
      for (const id of Object.keys(target.emissions)) {
        const byRequester = target.emissions[id];
        if (byRequester && byRequester[contactId]) delete byRequester[contactId];
      }
    }
  }
  /** The merge alone: what a refresh of all contacts does after clearing everything at once. */
  merge(emissions: readonly TargetEmission[]): void {
    for (const e of emissions) {
      const target = this.targets.get(e.type);
      if (!target || e.deleted) continue;
      const byRequester = (target.emissions[e._id] ??= {});
      byRequester[e.contact._id] = { pass: e.pass, ...(e.groupBy ? { groupBy: e.groupBy } : {}), date: e.date as number, order: e.contact.reported_date || -1 };
    }
  }
  aggregate(from: number, to: number): Array<{ id: string; value: { pass: number; total: number; percent?: number } }> {
    return [...this.targets.values()].map(({ settings, emissions }) => {
      const relevant = Object.keys(emissions).map((id) => {
        let latest: { pass: boolean; groupBy?: string; order: number } | undefined;
        for (const entry of Object.values(emissions[id] ?? {})) {
          if (entry.date < from || entry.date > to) continue;
          if (!latest || entry.order > latest.order) latest = entry;
        }
        return latest;
      }).filter((e) => e !== undefined);
      let pass: number;
      let total: number;
      const gte = settings.passesIfGroupCount?.gte;
      if (!gte) {
        pass = relevant.filter((e) => e.pass).length;
        total = relevant.length;
      } else {
        const groups: Record<string, [number, number]> = {};
        for (const e of relevant) {
          if (!e.groupBy) continue;
          const g = (groups[e.groupBy] ??= [0, 0]);
          g[1] += 1;
          if (e.pass) g[0] += 1;
        }
        pass = Object.values(groups).filter(([p]) => p >= gte).length;
        total = Object.keys(groups).length;
      }
      return { id: settings.id, value: settings.type === 'percent' ? { pass, total, percent: total ? Math.round((pass * 100) / total) : 0 } : { pass, total } };
    });
  }
}

const cht = new ChtShapedState(settings);
for (const list of byRequester.values()) cht.merge(list);

// The same sequence of operations for both sides.
const operations = Array.from({ length: 2_000 }, (_, k) => {
  const requester = (k * 397) % 5_000;
  return { requester: `c${requester}`, emissions: emissionsOf(requester, k % 2) };
});
const sameValues = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

// Warm-up, and a check that both sides agree after each of a few operations.
for (const op of operations.slice(0, 20)) {
  store.replace(op.requester, op.emissions);
  cht.store(op.requester, op.emissions);
  byRequester.set(op.requester, op.emissions);
  if (!sameValues(store.values(), cht.aggregate(range.from, range.to))) throw new Error('cht-core\'s shape and the store disagree');
}

start = performance.now();
for (const op of operations) {
  store.replace(op.requester, op.emissions);
  store.values();
}
const incrementalPerOp = (performance.now() - start) / operations.length;

const chtOps = operations.slice(0, 40);
start = performance.now();
for (const op of chtOps) {
  cht.store(op.requester, op.emissions);
  cht.aggregate(range.from, range.to);
}
const chtPerOp = (performance.now() - start) / chtOps.length;

for (const op of operations) byRequester.set(op.requester, op.emissions);
start = performance.now();
const recount = countTargets(settings, range, byRequester);
const rebuildMs = performance.now() - start;
if (!sameValues(recount, store.values())) throw new Error('the incremental values differ from a full recount');

console.log(`rebuild from scratch (reference): ${rebuildMs.toFixed(1)} ms (${Math.round(total / (rebuildMs / 1000))} emissions/s)`);
console.log(`cht-core's shape (store a contact's emissions, re-aggregate on read): ${chtPerOp.toFixed(2)} ms per operation over ${chtOps.length} operations`);
console.log(`incremental (replace one requester's 20 emissions, read the values): ${(incrementalPerOp * 1000).toFixed(1)} µs per operation over ${operations.length} operations`);
console.log(`targets: ratio=${(chtPerOp / incrementalPerOp).toFixed(0)} cht-core-shape/incremental per operation (goal >= 100)`);
