/**
 * A CHT project's own tasks.js, targets.js and nools-extras.js (in cht-core's config/default shape,
 * written for these tests in cht-config/), run unchanged end to end: loaded with the globals cht-core
 * gives them, turned into task documents with cht-conf's emission ids and into a target document.
 * The expected values are computed by hand from cht-conf's and cht-core's rules. Dates are local
 * days of the process's zone, as cht-nootils works: run with TZ=UTC, America/Los_Angeles and
 * Pacific/Auckland.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { CalendarDate, ContactId, TaskDoc, UserSettingsId } from '../../lib/codecs/index.js';
import { periodBounds, reportingPeriod, targetDocToWrite, targetRule, TargetStore } from '../../lib/targets/index.js';
import type { TargetDefinition } from '../../lib/targets/index.js';
import {
  calendarDates, chtConfigModule, definitionRule, deviceTimeZone, emissionsFor, FieldsyncTaskError, indexTaskDocs, planTaskWrites, withWrittenDocs,
} from '../../lib/tasks/index.js';
import type { StoredEmission, TaskDefinition, TaskSubject } from '../../lib/tasks/index.js';
import { startOfLocalDay } from '../../lib/tasks/calendar.js';
import { testUtils } from './cht-config/utils.js';

type Doc = { _id: string; type: string; name?: string; reported_date?: number; parent?: unknown; [key: string]: unknown };
type Report = { _id: string; form: string; reported_date: number; fields: Record<string, unknown> };

const files = Object.fromEntries(['tasks.js', 'targets.js', 'nools-extras.js'].map((f) => [f, readFileSync(new URL(`./cht-config/${f}`, import.meta.url), 'utf8')]));
const dates = calendarDates(deviceTimeZone());
const noon = (day: string): number => startOfLocalDay(day as CalendarDate, dates) + 12 * 3_600_000;
const user = 'org.couchdb.user:chw' as UserSettingsId;
const userContact = { _id: 'chw', type: 'person', name: 'CHW', parent: { _id: 'hc1' } };
const cht = { v1: { hasPermissions: (permission: string) => permission === 'can_view_household_tasks', hasAnyPermission: () => true } };

const hh1 = { _id: 'hh1', parent: { _id: 'hc1' } };
const hh2 = { _id: 'hh2', parent: { _id: 'hc1' } };
const person = (id: string, home: object, extra: Record<string, unknown> = {}): Doc => ({ _id: id, type: 'person', name: id, parent: home, reported_date: noon('2026-01-10'), ...extra });
const report = (id: string, form: string, day: string, fields: Record<string, unknown> = {}): Report => ({ _id: id, form, reported_date: noon(day), fields });

const subjects: Array<TaskSubject<Doc, Report>> = [
  { contact: { _id: 'hh1', type: 'clinic', name: 'House 1', parent: { _id: 'hc1' }, reported_date: noon('2026-06-05') }, reports: [] },
  { contact: { _id: 'hh2', type: 'clinic', name: 'House 2', parent: { _id: 'hc1' }, reported_date: noon('2026-05-01') }, reports: [] },
  { contact: person('mum', hh1, { date_of_birth: '1996-06-03' }), reports: [report('hv1', 'home_visit', '2026-06-05', { members: ['a', 'b'] }), report('p1', 'pregnancy', '2026-03-27')] },
  { contact: person('kid', hh1, { date_of_birth: '2026-06-03', reported_date: noon('2026-06-03') }), reports: [report('hv2', 'home_visit', '2026-06-07')] },
  { contact: person('grandpa', hh1, { date_of_death: '2026-06-10' }), reports: [] },
  { contact: person('aisha', hh2), reports: [report('d1', 'delivery', '2026-06-13', { facility_delivery: 'yes' }), report('pnc1', 'pnc_visit', '2026-06-14'), report('rf1', 'referral', '2026-06-10', { urgent: 'yes' })] },
  { contact: person('zara', hh2), reports: [report('p2', 'pregnancy', '2026-06-02'), report('p0', 'pregnancy', '2026-06-01', { miscarriage: 'yes' }), report('hv3', 'home_visit', '2026-06-08')] },
];

describe('a CHT project\'s own tasks.js and targets.js (config/default shape), unchanged', () => {
  let clock = noon('2026-06-15');
  const globals = { Utils: testUtils(() => clock), user: userContact, cht };
  const tasks = chtConfigModule<Array<TaskDefinition<Doc, Report>>>(files, 'tasks.js');
  const targets = chtConfigModule<Array<TargetDefinition<Doc, Report>>>(files, 'targets.js');

  it(`gives cht-conf's emission ids and cht-core's states, and a refresh later sees today afresh (zone ${deviceTimeZone()})`, () => {
    const rule = definitionRule(tasks, dates, { ...globals, now: () => clock });
    const first = planTaskWrites({ user, now: clock, dates, existing: [], emissions: emissionsFor([rule], subjects) });
    const summary = (docs: readonly TaskDoc[]) => docs.map((d) => [d.emission._id, d.state, d.emission.dueDate]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    assert.deepEqual(summary(first.writes), [
      ['d1~pnc-day-2~pnc.visit', 'Completed', '2026-06-15'],
      ['grandpa~confirm~death.confirm', 'Ready', '2026-06-10'],
      ['hh1~monthly~household.survey', 'Draft', '2026-07-05'],
      ['hh2~monthly~household.survey', 'Failed', '2026-05-31'],
      ['p1~2~anc.visit', 'Draft', '2026-10-09'],
      ['p1~week-12~anc.visit', 'Ready', '2026-06-19'],
      ['p1~week-20~anc.visit', 'Draft', '2026-08-14'],
      ['p2~2~anc.visit', 'Draft', '2026-12-15'],
      ['p2~week-12~anc.visit', 'Draft', '2026-08-25'],
      ['p2~week-20~anc.visit', 'Draft', '2026-10-20'],
      ['rf1~follow-up~referral.follow_up', 'Ready', '2026-06-11'],
    ]);
    const byId = new Map<string, { readonly owner: string; readonly emission: StoredEmission }>(first.writes.map((d) => [d.emission._id, d]));
    const week20 = byId.get('p1~week-20~anc.visit');
    assert.equal(week20?.emission.priority, 'high', 'a priority function of the event');
    assert.equal(byId.get('p1~week-12~anc.visit')?.emission.priority, undefined);
    assert.equal(byId.get('p2~week-12~anc.visit')?.emission.actions?.[0]?.content?.['pregnancy_number'], 2, 'this is shared by one contact\'s reports, in reported_date order');
    assert.equal(week20?.emission.actions?.[0]?.content?.['week'], 'week-20');
    const survey = byId.get('hh1~monthly~household.survey');
    assert.deepEqual(survey?.emission.actions?.map((a) => [a.type, a.form]), [['contact', undefined], ['report', 'household_survey']], 'a contact action without a form');
    assert.deepEqual(survey?.emission.contact, { name: 'Household' });
    assert.equal(survey?.owner, 'hh1');
    assert.equal(byId.get('d1~pnc-day-2~pnc.visit')?.emission.resolved, true, 'a truthy resolvedIf ("yes") is resolved');
    for (const doc of first.writes) assert.match(doc._id, /^task~org\.couchdb\.user:chw~[^~]+~[^~]+~[^~]+~\d+$/);

    // Five days later the config is evaluated again: its `today` moved, so the referral no longer applies.
    clock = noon('2026-06-20');
    const index = withWrittenDocs(indexTaskDocs([]), first.writes);
    const later = planTaskWrites({ user, now: clock, dates, existing: index, emissions: emissionsFor([rule], subjects) });
    assert.deepEqual(summary(later.writes), [['grandpa~confirm~death.confirm', 'Failed', '2026-06-10'], ['rf1~follow-up~referral.follow_up', 'Cancelled', '2026-06-11']]);
    // Definitions evaluated once, as before the factory, keep the first day's today.
    const staleDefinitions = definitionRule(tasks({ ...globals, Utils: testUtils(() => noon('2026-06-15')) }), dates);
    const staleWrites = planTaskWrites({ user, now: clock, dates, existing: index, emissions: emissionsFor([staleDefinitions], subjects) });
    assert.deepEqual(summary(staleWrites.writes).map((w) => w[0]), ['grandpa~confirm~death.confirm'], 'a stale today keeps the referral alive');
    clock = noon('2026-06-15');
  });

  it('counts the targets as cht-core does, string dates in their own month, and writes cht-core\'s target document', () => {
    const rule = targetRule(targets, globals);
    const june = reportingPeriod('2026-06-15' as CalendarDate, 1);
    const store = new TargetStore(targets(globals), periodBounds(june, dates), { now: clock, dates });
    for (const s of subjects) assert.deepEqual(store.replace(s.contact._id, rule(s, clock)), []);
    const values = Object.fromEntries(store.values().map((v) => [v.id, v.value]));
    assert.deepEqual(values, {
      'deaths-this-month': { pass: 1, total: 1 },
      'births-this-month': { pass: 1, total: 1 },
      'pregnancy-registrations-this-month': { pass: 1, total: 1 },
      'active-pregnancies': { pass: 2, total: 2 },
      'facility-deliveries': { pass: 1, total: 1, percent: 100 },
      'households-visited-twice': { pass: 1, total: 2, percent: 50 },
      'members-visited': { pass: 2, total: 2 },
      referrals: { pass: 2, total: 2 },
    });
    const doc = targetDocToWrite({ user, owner: 'chw' as ContactId, period: june.period, values: store.values(), now: clock, dates });
    assert.equal(doc?._id, 'target~2026-06~chw~org.couchdb.user:chw');
    assert.equal(doc?.updated_date, startOfLocalDay('2026-06-15' as CalendarDate, dates));
    const may = new TargetStore(targets(globals), periodBounds(reportingPeriod('2026-05-15' as CalendarDate, 1), dates), { now: clock, dates });
    for (const s of subjects) may.replace(s.contact._id, rule(s, clock));
    assert.deepEqual(may.values().filter((v) => v.value.total > 0), [], 'nothing of June, and no date of birth of 1996, counts in May');
  });

  it('refuses what it does not support with a typed error that names the feature', () => {
    const scheduled = { ...files, 'tasks.js': 'module.exports = [{ name: "sms", appliesTo: "scheduled_tasks", events: [{ days: 1 }], actions: [{ form: "f" }] }];' };
    assert.throws(() => definitionRule(chtConfigModule<TaskDefinition[]>(scheduled, 'tasks.js'), dates, globals), (err: unknown) => err instanceof FieldsyncTaskError && /scheduled_tasks/.test(err.message));
    const required = { 'tasks.js': 'module.exports = require("moment") && [];' };
    assert.throws(() => definitionRule(chtConfigModule<TaskDefinition[]>(required, 'tasks.js'), dates), (err: unknown) => err instanceof FieldsyncTaskError && err.kind === 'invalid-cht-config' && /moment/.test(err.message));
    assert.throws(() => chtConfigModule({ 'tasks.js': 'module.exports = [' }, 'tasks.js'), (err: unknown) => err instanceof FieldsyncTaskError && err.kind === 'invalid-cht-config');
    // Without the globals, a config that uses them fails to load with a typed error, not a crash elsewhere.
    assert.throws(() => definitionRule(tasks, dates), (err: unknown) => err instanceof FieldsyncTaskError && err.kind === 'invalid-cht-config' && /Utils/.test(err.message));
  });
});
