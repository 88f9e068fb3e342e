/**
 * Task refresh after a sync: everything recalculated against only the contacts the sync changed.
 *
 * Data: 2,000 people with a year of reports (about 6 each: pregnancies, visits, deliveries,
 * immunizations) and 5 task definitions in CHT's tasks.js shape (report tasks with 1-2 events each,
 * a contact task). A full refresh runs the rules over every contact and plans the writes against
 * the existing task documents. After a sync, an app does not know which contact changed unless
 * the sync tells it: the pull reports every document it wrote (`touched`), and `requestersOf`
 * turns those documents into the requesters to refresh (a report names its patient by shortcode
 * or uuid). That path, from the pulled documents to the writes, is the incremental side. For
 * comparison, the path that finds the changed contact by fingerprinting all 2,000 contacts.
 *
 * Ratio: full refresh time / refresh-after-sync time (goal >= 100).
 */
import type { ContactId, TaskDoc, UserSettingsId } from '../lib/codecs/index.js';
import { seededRandom } from '../lib/seed/random.js';
import {
  calendarDates, definitionRule, emissionsFor, fingerprint, indexTaskDocs, markFresh, planTaskWrites, refreshDue, requestersOf, withWrittenDocs,
} from '../lib/tasks/index.js';
import type { TaskDefinition, TaskSubject } from '../lib/tasks/index.js';

type Contact = { _id: string; _rev: string; type: string; name: string; reported_date: number; patient_id: string };
type Report = { _id: string; _rev: string; type: 'data_record'; form: string; reported_date: number; fields: Record<string, unknown> };

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
  const contact: Contact = { _id: `person-${i}`, _rev: '1-a', type: 'person', name: `P${i}`, reported_date: NOW - 400 * DAY, patient_id: String(10_000 + i) };
  const reports: Report[] = [];
  for (let r = 0; r < random.int(3, 9); r += 1) {
    reports.push({ _id: `report-${i}-${r}`, _rev: '1-a', type: 'data_record', form: random.pick(FORMS), reported_date: NOW - random.int(0, 365) * DAY, fields: { patient_id: contact.patient_id, visited: random.int(0, 3) === 0 ? 'no' : 'yes' } });
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

/** The path that must find the changed contact by fingerprinting every contact. */
function byFingerprints(changed: TaskSubject<Contact, Report>, now: number): { ms: number; writes: readonly TaskDoc[] } {
  const start = performance.now();
  const observed = new Map(subjects.map((s) => [s.contact._id as ContactId, fingerprintOf(s.contact._id === changed.contact._id ? changed : s)]));
  const due = new Set<string>(refreshDue(freshness, observed, { now }).due);
  const emissions = emissionsFor([rule], [changed].filter((s) => due.has(s.contact._id)));
  const plan = planTaskWrites({ user, now, dates, existing: index, emissions });
  return { ms: performance.now() - start, writes: plan.writes };
}

// The app's index of its contacts: by id, and by shortcode for reports that name their patient by one.
const byId = new Map(subjects.map((s) => [s.contact._id, s]));
const byShortcode = new Map(subjects.map((s) => [s.contact.patient_id, s.contact._id]));

/** The refresh after a sync: the documents the pull wrote name the requesters; only they are recalculated. */
function afterSync(pulled: readonly Report[], changed: TaskSubject<Contact, Report>, now: number): { ms: number; writes: readonly TaskDoc[] } {
  const start = performance.now();
  const requesters = requestersOf(pulled, (code) => byShortcode.get(code));
  const refreshed = [...requesters].map((id) => (id === changed.contact._id ? changed : byId.get(id))).filter((s): s is TaskSubject<Contact, Report> => s !== undefined);
  const plan = planTaskWrites({ user, now, dates, existing: index, emissions: emissionsFor([rule], refreshed) });
  freshness = markFresh(freshness, new Map(refreshed.map((s) => [s.contact._id as ContactId, fingerprintOf(s)])), now);
  return { ms: performance.now() - start, writes: plan.writes };
}

const fullTimes: number[] = [];
const syncTimes: number[] = [];
const fingerprintTimes: number[] = [];
let emissionsPerFull = 0;
let fullWrites = 0;
for (let round = 0; round < 9; round += 1) {
  const f = full(NOW);
  emissionsPerFull = f.emissions;
  fullWrites = f.writes.length;
  // A sync pulls one new delivery report for one contact: its PNC tasks appear.
  const target = subjects[(round * 211) % subjects.length] as TaskSubject<Contact, Report>;
  const report: Report = { _id: `new-${round}`, _rev: '1-b', type: 'data_record', form: 'delivery', reported_date: NOW - DAY, fields: { patient_id: target.contact.patient_id } };
  const changed = { ...target, reports: [...target.reports, report] };
  const printed = byFingerprints(changed, NOW);
  const inc = afterSync([report], changed, NOW);
  if (inc.writes.length === 0 || printed.writes.length !== inc.writes.length) throw new Error('the refresh after a sync found nothing to write');
  if (round === 0) continue; // warm-up
  fullTimes.push(f.ms);
  syncTimes.push(inc.ms);
  fingerprintTimes.push(printed.ms);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fm = median(fullTimes);
const sm = median(syncTimes);
const pm = median(fingerprintTimes);
console.log(`full refresh: ${fm.toFixed(1)} ms for ${emissionsPerFull} emissions (${Math.round(emissionsPerFull / (fm / 1000))} emissions/s), ${fullWrites} docs to write (time has moved since the steady state)`);
console.log(`refresh after a sync (requesters from the pulled documents): ${sm.toFixed(3)} ms`);
console.log(`refresh after fingerprinting all ${subjects.length} contacts to find the changed one: ${pm.toFixed(3)} ms (ratio ${(fm / pm).toFixed(0)})`);
console.log(`tasks: ratio=${(fm / sm).toFixed(0)} full/refresh-after-sync (goal >= 100)`);
