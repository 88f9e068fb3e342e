import assert from 'node:assert/strict';
import type { CalendarDate, TaskDoc } from '../../lib/codecs/index.js';
import { addDays, calendarDates, displayWindow, FieldsyncTaskError, isTimely, stateFor, withState } from '../../lib/tasks/index.js';
import { startOfLocalDay } from '../../lib/tasks/calendar.js';
import type { TaskWindow } from '../../lib/tasks/index.js';

const d = (s: string): CalendarDate => s as CalendarDate;
const window: TaskWindow = { startDate: d('2026-03-10'), dueDate: d('2026-03-12'), endDate: d('2026-03-15') };

describe('task states', () => {
  const table: Array<[string, { resolved?: boolean; deleted?: boolean }, TaskWindow | undefined, string, string]> = [
    ['the day before the window', {}, window, '2026-03-09', 'Draft'],
    ['the first day of the window', {}, window, '2026-03-10', 'Ready'],
    ['the due day', {}, window, '2026-03-12', 'Ready'],
    ['the last day of the window', {}, window, '2026-03-15', 'Ready'],
    ['the day after the window', {}, window, '2026-03-16', 'Failed'],
    ['resolved, whatever the day', { resolved: true }, window, '2026-03-30', 'Completed'],
    ['resolved wins over deleted', { resolved: true, deleted: true }, window, '2026-03-12', 'Completed'],
    ['deleted', { deleted: true }, window, '2026-03-12', 'Cancelled'],
    ['no valid date', {}, undefined, '2026-03-12', 'invalid'],
  ];
  for (const [name, flags, w, today, expected] of table) {
    it(`${expected} on ${name}`, () => assert.equal(stateFor(flags, w, d(today)), expected));
  }
});

describe('display windows', () => {
  const utc = calendarDates('UTC');
  const table: Array<[string, Record<string, unknown>, TaskWindow | undefined]> = [
    ['date minus readyStart, plus readyEnd', { _id: 'e', date: '2026-03-12', readyStart: 2, readyEnd: 3 }, window],
    ['date as an instant', { _id: 'e', date: Date.UTC(2026, 2, 12, 10), readyStart: 2, readyEnd: 3 }, window],
    ['explicit dates win', { _id: 'e', startDate: '2026-03-10', dueDate: '2026-03-12', endDate: '2026-03-15', date: '2020-01-01' }, window],
    ['a due date alone is a one-day window', { _id: 'e', date: '2026-03-12' }, { startDate: d('2026-03-12'), dueDate: d('2026-03-12'), endDate: d('2026-03-12') }],
    ['no date', { _id: 'e' }, undefined],
    ['a date that does not parse', { _id: 'e', date: 'soon' }, undefined],
    ['an explicit date that is not YYYY-MM-DD', { _id: 'e', dueDate: '12/03/2026' }, undefined],
    ['a start after the end', { _id: 'e', startDate: '2026-03-20', dueDate: '2026-03-15', endDate: '2026-03-15' }, undefined],
    ['days that are not finite', { _id: 'e', date: '2026-03-12', readyStart: Number.POSITIVE_INFINITY }, undefined],
    ['readyStart NaN or null is 0, as cht-core reads readyStart || 0', { _id: 'e', date: '2026-03-12', readyStart: Number.NaN, readyEnd: null }, { startDate: d('2026-03-12'), dueDate: d('2026-03-12'), endDate: d('2026-03-12') }],
  ];
  for (const [name, emission, expected] of table) {
    it(name, () => assert.deepEqual(displayWindow(emission as never, utc), expected));
  }

  it('reads dates in the given time zone, around midnight', () => {
    // 23:30 UTC on 1 March is already 2 March in Auckland and still 1 March in Los Angeles.
    const instant = Date.UTC(2026, 2, 1, 23, 30);
    const due = { _id: 'e', date: '2026-03-02' };
    const today = (zone: string): CalendarDate => calendarDates(zone).dateOf(instant) as CalendarDate;
    assert.equal(today('Pacific/Auckland'), '2026-03-02');
    assert.equal(today('America/Los_Angeles'), '2026-03-01');
    assert.equal(today('UTC'), '2026-03-01');
    const w = displayWindow(due, utc);
    assert.equal(stateFor({}, w, today('Pacific/Auckland')), 'Ready');
    assert.equal(stateFor({}, w, today('America/Los_Angeles')), 'Draft');
    // The same due instant is a different local day in each zone.
    assert.equal(calendarDates('Pacific/Auckland').toDate(instant), '2026-03-02');
  });

  it('counts days on the calendar, so a daylight-saving day is one day', () => {
    assert.equal(addDays(d('2026-03-07'), 2), '2026-03-09');
    assert.equal(addDays(d('2026-03-01'), -1), '2026-02-28');
    assert.equal(addDays(d('2028-03-01'), -1), '2028-02-29');
    const ny = calendarDates('America/New_York');
    // 8 March 2026 is 23 hours long in New York; noon to noon is still one day.
    assert.equal(ny.dateOf(Date.UTC(2026, 2, 8, 16)), '2026-03-08');
    assert.equal(ny.dateOf(Date.UTC(2026, 2, 9, 16)), '2026-03-09');
  });

  it('refuses an unknown time zone with a typed error', () => {
    assert.throws(() => calendarDates('Mars/Olympus'), (err: unknown) => err instanceof FieldsyncTaskError && err.kind === 'invalid-time-zone');
  });
});

describe('timely windows (60 days back, 180 ahead), as cht-core compares instants', () => {
  const today = d('2026-06-01');
  const plus = (days: number): CalendarDate => addDays(today, days) ?? assert.fail('off the calendar');
  const ending = (days: number): TaskWindow => ({ startDate: plus(days - 5), dueDate: plus(days), endDate: plus(days) });
  const starting = (days: number): TaskWindow => ({ startDate: plus(days), dueDate: plus(days), endDate: plus(days + 5) });
  const table: Array<[string, TaskWindow | undefined, boolean]> = [
    ['ended 59 days ago', ending(-59), true],
    ['ended exactly 60 days ago', ending(-60), false],
    ['ended 61 days ago', ending(-61), false],
    ['starts in 179 days', starting(179), true],
    ['starts in exactly 180 days, after local midnight (now + 180 days is after that midnight)', starting(180), true],
    ['starts in 181 days', starting(181), false],
    ['today', ending(0), true],
    ['no window', undefined, false],
  ];
  for (const zone of ['UTC', 'America/Los_Angeles', 'Pacific/Auckland']) {
    const dates = calendarDates(zone);
    const midnight = startOfLocalDay(today, dates);
    for (const [name, w, expected] of table) {
      it(`${zone}: ${expected ? 'timely' : 'not timely'}: ${name}`, () => assert.equal(isTimely(w, midnight + 9 * 3_600_000, dates), expected));
    }
    it(`${zone}: not timely: starts in exactly 180 days, at the instant of local midnight (cht-core: now + 180 days is not after it)`, () => {
      assert.equal(isTimely(starting(180), midnight, dates), false);
    });
  }
});

describe('state history', () => {
  const doc = { _id: 't', type: 'task', authoredOn: 1, user: 'org.couchdb.user:a', requester: 'c', owner: 'c', state: 'Draft', emission: { _id: 'e' }, stateHistory: [{ state: 'Draft', timestamp: 1 }] } as unknown as TaskDoc;

  it('gets an entry only when the state changes', () => {
    assert.equal(withState(doc, 'Draft', 5).stateHistory.length, 1);
    const ready = withState(doc, 'Ready', 5);
    assert.deepEqual(ready.stateHistory, [{ state: 'Draft', timestamp: 1 }, { state: 'Ready', timestamp: 5 }]);
    assert.equal(doc.stateHistory.length, 1, 'the input is not changed');
  });

  it('stores an invalid emission as Cancelled with reason invalid, and a duplicate with reason duplicate', () => {
    const invalid = withState(doc, 'invalid', 5);
    assert.equal(invalid.state, 'Cancelled');
    assert.equal(invalid.stateReason, 'invalid');
    assert.equal(withState(doc, 'Cancelled', 5, 'duplicate').stateReason, 'duplicate');
    assert.equal(withState(invalid, 'Ready', 6).stateReason, undefined, 'a reason stays only with the state it explains');
  });
});
