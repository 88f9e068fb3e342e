import assert from 'node:assert/strict';
import type { CalendarDate, ContactId, TaskDoc, UserSettingsId } from '../../lib/codecs/index.js';
import { calendarDates, definitionRule, displayWindow, emissionsFor, FieldsyncTaskError, planTaskWrites, requestersOf, stateFor } from '../../lib/tasks/index.js';
import { startOfLocalDay } from '../../lib/tasks/calendar.js';
import type { Emission } from '../../lib/tasks/index.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1, 12);
const ZONES = ['UTC', 'America/Los_Angeles', 'Pacific/Auckland'];
const user = 'org.couchdb.user:amy' as UserSettingsId;
const alice = 'alice' as ContactId;

describe('tasks as cht-core computes them', () => {
  it('a readyStart or readyEnd so large the window leaves the calendar (1e9 days) is invalid, as cht-core\'s invalid dates are, and gets no document', () => {
    const dates = calendarDates('UTC');
    const today = dates.dateOf(NOW) ?? assert.fail();
    for (const extra of [{ readyStart: 1e9 }, { readyEnd: 1e9 }, { readyStart: 1e9, readyEnd: 1e9 }, { readyEnd: 4_000_000 }]) {
      const emission: Emission = { _id: 'huge', date: NOW, ...extra, contact: { _id: alice } };
      const window = displayWindow(emission, dates);
      assert.equal(window, undefined, JSON.stringify(extra));
      assert.equal(stateFor(emission, window, today), 'invalid');
      const { writes } = planTaskWrites({ user, now: NOW, dates, existing: [], emissions: new Map([[alice, [emission]]]) });
      assert.deepEqual(writes, [], 'not Ready, not timely: no document');
    }
  });

  it('an impossible calendar day (2025-02-30, 2025-02-29) is an invalid date in every time zone, as moment\'s ISO parsing makes it', () => {
    for (const zone of ZONES) {
      const dates = calendarDates(zone);
      for (const day of ['2025-02-30', '2025-02-29', '2025-02-30T10:00:00Z', '2025-02-29T23:00', '2025-04-31']) {
        assert.equal(dates.toDate(day), undefined, `${zone} ${day}`);
        assert.equal(displayWindow({ _id: 'e', date: day, readyStart: 1, readyEnd: 1 }, dates), undefined, `${zone} ${day}`);
      }
      assert.equal(dates.toDate('2024-02-29'), '2024-02-29', 'a leap day that exists');
      assert.equal(dates.toDate('2024-02-29T12:00:00Z') !== undefined, true);
    }
  });

  it('a refresh drops untimely emissions before it picks the most ready of one id, as cht-core filters first: a timely Failed emission wins over an untimely Draft one', () => {
    const dates = calendarDates('UTC');
    const timelyFailed: Emission = { _id: 'twice', date: NOW - 10 * DAY, contact: { _id: alice } };
    const untimelyDraft: Emission = { _id: 'twice', date: NOW + 400 * DAY, contact: { _id: alice } };
    for (const order of [[untimelyDraft, timelyFailed], [timelyFailed, untimelyDraft]]) {
      const { writes } = planTaskWrites({ user, now: NOW, dates, existing: [], emissions: new Map([[alice, order]]) });
      assert.deepEqual(writes.map((w) => [w.emission._id, w.state, w.emission.dueDate]), [['twice', 'Failed', '2026-05-22']]);
    }
    const timelyCompleted: Emission = { ...timelyFailed, resolved: true };
    const { writes } = planTaskWrites({ user, now: NOW, dates, existing: [], emissions: new Map([[alice, [untimelyDraft, timelyCompleted]]]) });
    assert.deepEqual(writes.map((w) => w.state), ['Completed']);
  });
});

describe('task windows and emissions as cht-core and cht-conf compute them', () => {
  const dates = calendarDates('UTC');
  const today = dates.dateOf(NOW) ?? assert.fail();
  const plan = (emission: Emission, existing: readonly TaskDoc[] = []) => planTaskWrites({ user, now: NOW, dates, existing, emissions: new Map([[alice, [emission]]]) });

  it('an explicit startDate/endDate window keeps the dueDate it was given and invents none, as cht-core\'s getDisplayWindow stores it', () => {
    const emission: Emission = { _id: 'w', date: NOW, startDate: '2026-05-30', endDate: '2026-06-03', contact: { _id: alice } };
    assert.deepEqual(displayWindow(emission, dates), { startDate: '2026-05-30', endDate: '2026-06-03' });
    const [doc] = plan(emission).writes;
    assert.equal(doc?.state, 'Ready');
    assert.equal(Object.hasOwn(doc?.emission ?? {}, 'dueDate'), false);
  });

  it('an explicit window with neither date nor dueDate is invalid, as cht-core\'s calculateState needs one of them', () => {
    assert.equal(displayWindow({ _id: 'w', startDate: '2026-05-30', endDate: '2026-06-03' }, dates), undefined);
    assert.deepEqual(plan({ _id: 'w', startDate: '2026-05-30', endDate: '2026-06-03', contact: { _id: alice } }).writes, []);
  });

  it('a one-sided explicit window (only startDate or only endDate) is invalid, as in cht-core', () => {
    for (const side of [{ startDate: '2026-06-01' }, { endDate: '2026-06-01' }]) {
      const emission: Emission = { _id: 'w', date: NOW, dueDate: '2026-06-01', ...side };
      assert.equal(displayWindow(emission, dates), undefined, JSON.stringify(side));
      assert.equal(stateFor(emission, displayWindow(emission, dates), today), 'invalid');
    }
  });

  it('fractional readyStart/readyEnd round half away from zero and null is 0, as moment\'s day arithmetic after cht-core\'s `|| 0`', () => {
    const w = (readyStart: number | null, readyEnd: number | null) => displayWindow({ _id: 'w', date: '2026-06-10', readyStart, readyEnd }, dates);
    assert.deepEqual(w(1.5, 2.5), { startDate: '2026-06-08', dueDate: '2026-06-10', endDate: '2026-06-13' });
    assert.deepEqual(w(1.4, 0.49), { startDate: '2026-06-09', dueDate: '2026-06-10', endDate: '2026-06-10' });
    assert.deepEqual(w(-1.5, 3), { startDate: '2026-06-12', dueDate: '2026-06-10', endDate: '2026-06-13' });
    assert.deepEqual(w(null, null), { startDate: '2026-06-10', dueDate: '2026-06-10', endDate: '2026-06-10' });
  });

  it('date 0 (and an empty string) is no date, so the emission is invalid, as cht-core\'s `!emission.date`', () => {
    for (const date of [0, '']) {
      assert.equal(displayWindow({ _id: 'w', date }, dates), undefined, JSON.stringify(date));
      assert.deepEqual(plan({ _id: 'w', date, contact: { _id: alice } }).writes, []);
    }
  });

  it('events[].days start from the local day of reported_date, as cht-conf\'s Utils.addDate: a report at 23:30 the night before a daylight-saving change is due on the calendar day, in every zone', () => {
    const cases: Array<[string, number, string]> = [
      ['UTC', Date.UTC(2026, 2, 7, 23, 30), '2026-03-08'],
      // 23:30 on 7 March in Los Angeles; 24 h later it is already 00:30 on 9 March (clocks went forward).
      ['America/Los_Angeles', Date.UTC(2026, 2, 8, 7, 30), '2026-03-08'],
      // 23:30 on 26 September in Auckland; 24 h later it is 00:30 on 28 September.
      ['Pacific/Auckland', Date.UTC(2026, 8, 26, 11, 30), '2026-09-27'],
    ];
    for (const [zone, reported, due] of cases) {
      const zoned = calendarDates(zone);
      const rule = definitionRule([{ name: 'next-day', appliesTo: 'reports', events: [{ id: 'e', days: 1, start: 0, end: 0 }], actions: [{ form: 'visit' }] }], zoned);
      const emission = rule({ contact: { _id: 'alice' }, reports: [{ _id: 'r', form: 'reg', reported_date: reported }] })[0] ?? assert.fail();
      assert.equal(displayWindow(emission, zoned)?.dueDate, due, zone);
      assert.equal(zoned.dateOf((emission.date as Date).getTime()), due, `${zone}: the due date is local midnight`);
      assert.equal(startOfLocalDay(due as CalendarDate, zoned), (emission.date as Date).getTime());
    }
  });

  it('without resolvedIf, an event without a number start and end never resolves, as cht-conf\'s default resolvedIf then computes a window that is not a time', () => {
    const reports = [{ _id: 'r', form: 'reg', reported_date: NOW - 2 * DAY }, { _id: 'v', form: 'visit', reported_date: NOW }];
    const rule = (event: object) => definitionRule([{ name: 't', appliesTo: 'reports', appliesToType: ['reg'], events: [{ id: 'e', days: 2, ...event }], actions: [{ form: 'visit' }] }], dates);
    assert.equal(rule({ start: 1, end: 1 })({ contact: { _id: 'alice' }, reports })[0]?.resolved, true);
    assert.equal(rule({ end: 1 })({ contact: { _id: 'alice' }, reports })[0]?.resolved, false);
    assert.equal(rule({ start: 1 })({ contact: { _id: 'alice' }, reports })[0]?.resolved, false);
  });

  it('a definition without title emits none (cht-conf copies taskDefinition.title), and an event without id is named by its index', () => {
    const rule = definitionRule([{ name: 't', appliesTo: 'contacts', events: [{ days: 1, start: 0, end: 0 }], actions: [{ form: 'visit' }] }], dates);
    const [emission] = rule({ contact: { _id: 'alice', reported_date: NOW }, reports: [] });
    assert.equal(emission?._id, 'alice~0~t');
    assert.equal(Object.hasOwn(emission ?? {}, 'title'), false);
  });

  it('`this` is one object per definition and contact, shared by the contact\'s reports in reported_date order, and priority is a function of the event, as cht-conf binds and calls them', () => {
    const rule = definitionRule([{
      name: 't', appliesTo: 'reports',
      appliesIf() { this['n'] = ((this['n'] as number | undefined) ?? 0) + 1; return true; },
      events: [{ id: 'a', days: 1, start: 0, end: 0 }, { id: 'b', days: 2, start: 0, end: 0 }],
      priority(_s, _r, event) { return event.id === 'b' ? { level: 'high' } : undefined; },
      actions: [{ form: 'visit', modifyContent(content) { content['n'] = this['n']; } }],
    }], dates);
    const emissions = rule({ contact: { _id: 'alice' }, reports: [{ _id: 'late', reported_date: NOW }, { _id: 'early', reported_date: NOW - DAY }] });
    assert.deepEqual(emissions.map((e) => [e._id, e.actions?.[0]?.content?.['n'], e.priority]), [
      ['early~a~t', 1, undefined], ['early~b~t', 1, 'high'], ['late~a~t', 2, undefined], ['late~b~t', 2, 'high'],
    ]);
  });

  it('a contact action may have no form, as cht-conf emits it; a report action without one is refused, naming the action', () => {
    const rule = definitionRule([{ name: 't', appliesTo: 'contacts', events: [{ days: 1, start: 0, end: 0 }], actions: [{ type: 'contact', label: 'Add' }, { form: 'visit' }] }], dates);
    assert.deepEqual(rule({ contact: { _id: 'alice', reported_date: NOW }, reports: [] })[0]?.actions?.map((a) => [a.type, a.form]), [['contact', undefined], ['report', 'visit']]);
    assert.throws(() => definitionRule([{ name: 't', appliesTo: 'contacts', events: [{ days: 1 }], actions: [{ type: 'report' }] }], dates),
      (err: unknown) => err instanceof FieldsyncTaskError && /actions\[0\]\.form/.test(err.message));
  });
});

describe('tasks: where fieldsync differs from cht-core on purpose (docs/cht-differences.md)', () => {
  const dates = calendarDates('UTC');
  const plan = (emissions: Emission[], existing: readonly TaskDoc[] = [], now = NOW) => planTaskWrites({ user, now, dates, existing, emissions: new Map([[alice, emissions]]) });

  it('differs: an invalid emission\'s Cancelled document stores no window, where cht-core stores getDisplayWindow\'s values (null for a date that does not parse)', () => {
    const [live] = plan([{ _id: 'e', date: NOW, contact: { _id: alice } }]).writes;
    const [cancelled] = plan([{ _id: 'e', date: 'not a date', contact: { _id: alice } }], [live ?? assert.fail()], NOW + 1).writes;
    assert.equal(cancelled?.state, 'Cancelled');
    assert.equal(cancelled?.stateReason, 'invalid');
    assert.deepEqual(['startDate', 'dueDate', 'endDate'].filter((k) => Object.hasOwn(cancelled?.emission ?? {}, k)), []);
  });

  it('differs: a lone dueDate without date is the due day, where cht-core\'s window for it is around now (moment(undefined) is now)', () => {
    assert.deepEqual(displayWindow({ _id: 'e', dueDate: '2026-07-01', readyStart: 1 }, dates), { startDate: '2026-06-30', dueDate: '2026-07-01', endDate: '2026-07-01' });
  });

  it('differs: a contactLabel task keeps its contact as owner, where cht-conf emits contact {name} alone and cht-core\'s document has no owner', () => {
    const rule = definitionRule([{ name: 't', appliesTo: 'contacts', contactLabel: 'Family', events: [{ days: 1, start: 1, end: 1 }], actions: [{ form: 'visit' }] }], dates);
    const [doc] = planTaskWrites({ user, now: NOW, dates, existing: [], emissions: emissionsFor([rule], [{ contact: { _id: 'hh', reported_date: NOW }, reports: [] }]) }).writes;
    assert.equal(doc?.owner, 'hh');
    assert.deepEqual(doc?.emission.forId, 'hh');
  });

  it('differs: a contact task of a deleted contact is emitted deleted (Cancelled), where cht-conf\'s task emitter throws a TypeError', () => {
    const rule = definitionRule([{ name: 't', appliesTo: 'contacts', events: [{ days: 1, start: 0, end: 0 }], actions: [{ form: 'visit' }] }], dates);
    assert.equal(rule({ contact: { _id: 'gone', reported_date: NOW, deleted: true }, reports: [] })[0]?.deleted, true);
  });

  it('differs: a truthy resolvedIf that is not a boolean is stored as resolved: true, where cht-core stores the value itself', () => {
    const rule = definitionRule([{ name: 't', appliesTo: 'contacts', resolvedIf: () => 'yes', events: [{ days: 1, start: 0, end: 0 }], actions: [{ form: 'visit' }] }], dates);
    assert.equal(rule({ contact: { _id: 'alice', reported_date: NOW }, reports: [] })[0]?.resolved, true);
  });

  it('differs: an explicit window date that is not YYYY-MM-DD is invalid, where cht-core compares whatever string it is given', () => {
    assert.equal(displayWindow({ _id: 'e', date: NOW, startDate: '2026-6-1', endDate: '2026-06-03' }, dates), undefined);
  });

  it('differs in shape: planTaskWrites returns only the documents to write, where cht-core\'s transform also returns each unwritten document with isUpdated false', () => {
    const first = plan([{ _id: 'e', date: NOW, readyEnd: 3, contact: { _id: alice } }]);
    assert.equal(first.writes.length, 1);
    assert.deepEqual(plan([{ _id: 'e', date: NOW, readyEnd: 3, contact: { _id: alice } }], first.writes, NOW + 1).writes, []);
  });
});

describe('the requesters a sync\'s written documents concern', () => {
  it('a contact marks itself, a report its subject (shortcode or uuid), a task document its requester, as cht-core marks what its replication downloaded', () => {
    const codes = new Map([['1001', 'head']]);
    const docs = [
      { _id: 'kid', type: 'person' },
      { _id: 'r1', type: 'data_record', form: 'visit', fields: { patient_id: '1001' } },
      { _id: 'r2', type: 'data_record', form: 'visit', fields: { patient_uuid: 'mother' } },
      { _id: 'r3', type: 'data_record', form: 'visit', place_id: 'hh9', fields: {} },
      { _id: 'task~u~x~1', type: 'task', requester: 'granny' },
      { _id: 'form:visit', type: 'form' },
    ];
    assert.deepEqual([...requestersOf(docs, (code) => codes.get(code))].sort(), ['granny', 'head', 'hh9', 'kid', 'mother']);
  });
});
