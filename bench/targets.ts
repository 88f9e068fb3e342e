/**
 * Target values after one contact's data changed: the incremental store against a naive recompute of
 * every target from every emission, on the same data in one process.
 *
 * Data: 100,000 emissions over 12 targets (count, percent and group-count targets) from 5,000
 * requesters, with shared instance ids (two requesters emitting the same instance) and dates spread
 * over a year, counted for the current period. Incremental: replace one requester's 20 emissions in
 * the store and read the values. Naive: count all 100,000 again.
 *
 * Ratio: naive recompute time / incremental update time (goal >= 100).
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

const naive: number[] = [];
const incremental: number[] = [];
for (let round = 0; round < 11; round += 1) {
  const requester = (round * 397) % 5_000;
  const changed = emissionsOf(requester, round % 2);
  byRequester.set(`c${requester}`, changed);
  start = performance.now();
  store.replace(`c${requester}`, changed);
  const ours = store.values();
  const inc = performance.now() - start;
  start = performance.now();
  const theirs = countTargets(settings, range, byRequester);
  const full = performance.now() - start;
  if (JSON.stringify(ours) !== JSON.stringify(theirs)) throw new Error('the incremental values differ from a full recount');
  if (round === 0) continue;
  naive.push(full);
  incremental.push(inc);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const n = median(naive);
const i = median(incremental);
console.log(`naive recompute: ${n.toFixed(1)} ms (${Math.round(total / (n / 1000))} emissions/s)`);
console.log(`incremental (one requester's 20 emissions replaced): ${i.toFixed(3)} ms`);
console.log(`targets: ratio=${(n / i).toFixed(0)} naive-recompute/incremental (goal >= 100)`);
