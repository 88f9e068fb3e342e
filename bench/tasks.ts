/**
 * Task refresh: everything recalculated against only the contact whose data changed.
 *
 * Data: 2,000 people with a year of reports (about 6 each: pregnancies, visits, deliveries,
 * immunizations) and 5 task definitions in CHT's tasks.js shape (report tasks with 1-2 events each,
 * a contact task). A full refresh runs the rules over every contact and plans the writes against
 * the existing task documents; an incremental refresh finds the due requesters by fingerprint,
 * runs the rules for the one contact that gained a report, and plans its writes only.
 *
 * Ratio: full refresh time / incremental refresh time (goal >= 100).
 */
import type { ContactId, TaskDoc, UserSettingsId } from '../lib/codecs/index.js';
import { seededRandom } from '../lib/seed/random.js';
import {
  calendarDates, definitionRule, emissionsFor, fingerprint, indexTaskDocs, markFresh, planTaskWrites, refreshDue, withWrittenDocs,
} from '../lib/tasks/index.js';
import type { TaskDefinition, TaskSubject } from '../lib/tasks/index.js';

type Contact = { _id: string; _rev: string; type: string; name: string; reported_date: number };
type Report = { _id: string; _rev: string; form: string; reported_date: number; fields: Record<string, unknown> };

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 1, 10);
const user = 'org.couchdb.user:chw' as UserSettingsId;
const dates = calendarDates('Africa/Nairobi');
const random = seededRandom(3);
const FORMS = ['pregnancy', 'home_visit', 'delivery', 'immunization', 'pnc_visit'];

const definitions: Array<TaskDefinition<Contact, Report>> = [
  { name: 'anc-visit', appliesTo: 'reports', appliesToType: ['pregnancy'], events: [{ id: 'w12', days: 84, start: 7, end: 14 }, { id: 'w20', days: 140, start: 7, end: 14 }], actions: [{ form: 'home_visit' }] },
  { name: 'pnc-visit', appliesTo: 'reports', appliesToType: ['delivery'], events: [{ id: 'd3', days: 3, start: 1, end: 4 }, { id: 'd7', days: 7, start: 1, end: 4 }], actions: [{ form: 'pnc_visit' }] },
  { name: 'immunization-followup', appliesTo: 'reports', appliesToType: ['immunization'], events: [{ days: 28, start: 3, end: 7 }], actions: [{ form: 'immunization' }], priority: { level: 'high' } },
  {
    name: 'visit-overdue', appliesTo: 'reports', appliesToType: ['home_visit'],
    appliesIf: (_s, report) => report?.fields['visited'] === 'no',
    events: [{ days: 7, start: 2, end: 5 }], actions: [{ form: 'home_visit' }],
  },
  { name: 'monthly-check', appliesTo: 'contacts', appliesToType: ['person'], events: [{ dueDate: () => NOW + 10 * DAY, start: 5, end: 5 }], actions: [{ form: 'home_visit' }] },
];
const rule = definitionRule(definitions, dates);

const subjects: Array<TaskSubject<Contact, Report>> = [];
let reportCount = 0;
for (let i = 0; i < 2_000; i += 1) {
  const contact: Contact = { _id: `person-${i}`, _rev: '1-a', type: 'person', name: `P${i}`, reported_date: NOW - 400 * DAY };
  const reports: Report[] = [];
  for (let r = 0; r < random.int(3, 9); r += 1) {
    reports.push({ _id: `report-${i}-${r}`, _rev: '1-a', form: random.pick(FORMS), reported_date: NOW - random.int(0, 365) * DAY, fields: { visited: random.int(0, 3) === 0 ? 'no' : 'yes' } });
  }
  reportCount += reports.length;
  subjects.push({ contact, reports });
}
const fingerprintOf = (s: TaskSubject<Contact, Report>): string => fingerprint([s.contact, ...s.reports]);

// Steady state: tasks written by an earlier full refresh, freshness remembered.
let index = indexTaskDocs([]);
const initial = planTaskWrites({ user, now: NOW - DAY, dates, existing: index, emissions: emissionsFor([rule], subjects) });
index = withWrittenDocs(index, initial.writes);
let freshness = markFresh(new Map(), new Map(subjects.map((s) => [s.contact._id as ContactId, fingerprintOf(s)])), NOW - DAY);
const taskDocs = [...index.values()].reduce((n, docs) => n + docs.length, 0);
console.log(`${subjects.length} contacts, ${reportCount} reports, ${definitions.length} definitions: ${taskDocs} task documents in steady state`);

function full(now: number): { ms: number; writes: readonly TaskDoc[]; emissions: number } {
  const start = performance.now();
  const emissions = emissionsFor([rule], subjects);
  const plan = planTaskWrites({ user, now, dates, existing: index, emissions });
  return { ms: performance.now() - start, writes: plan.writes, emissions: plan.stats.emissions };
}

function incremental(changed: TaskSubject<Contact, Report>, now: number): { ms: number; writes: readonly TaskDoc[] } {
  const start = performance.now();
  const due = refreshDue(freshness, new Map([[changed.contact._id as ContactId, fingerprintOf(changed)]]), { now });
  const wanted = new Set<string>(due.due);
  const emissions = emissionsFor([rule], [changed].filter((s) => wanted.has(s.contact._id)));
  const plan = planTaskWrites({ user, now, dates, existing: index, emissions });
  freshness = markFresh(freshness, new Map([[changed.contact._id as ContactId, fingerprintOf(changed)]]), now);
  return { ms: performance.now() - start, writes: plan.writes };
}

const fullTimes: number[] = [];
const incTimes: number[] = [];
let emissionsPerFull = 0;
let fullWrites = 0;
for (let round = 0; round < 9; round += 1) {
  const f = full(NOW);
  emissionsPerFull = f.emissions;
  fullWrites = f.writes.length;
  // One contact gains a delivery report: its PNC tasks appear.
  const target = subjects[(round * 211) % subjects.length] as TaskSubject<Contact, Report>;
  const changed = { ...target, reports: [...target.reports, { _id: `new-${round}`, _rev: '1-b', form: 'delivery', reported_date: NOW - DAY, fields: {} }] };
  const inc = incremental(changed, NOW);
  if (inc.writes.length === 0) throw new Error('the incremental refresh found nothing to write');
  if (round === 0) continue; // warm-up
  fullTimes.push(f.ms);
  incTimes.push(inc.ms);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fm = median(fullTimes);
const im = median(incTimes);
console.log(`full refresh: ${fm.toFixed(1)} ms for ${emissionsPerFull} emissions (${Math.round(emissionsPerFull / (fm / 1000))} emissions/s), ${fullWrites} docs to write (time has moved since the steady state)`);
console.log(`incremental refresh (one contact changed): ${im.toFixed(3)} ms`);
console.log(`tasks: ratio=${(fm / im).toFixed(0)} full/incremental refresh (goal >= 100)`);
