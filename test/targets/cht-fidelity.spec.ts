import assert from 'node:assert/strict';
import type { CalendarDate } from '../../lib/codecs/index.js';
import { calendarDates } from '../../lib/tasks/index.js';
import { countTargets, FieldsyncTargetError, periodBounds, reportingPeriod, TargetStore, targetRule } from '../../lib/targets/index.js';
import type { TargetEmission, TargetSettings } from '../../lib/targets/index.js';

const count: TargetSettings = { id: 'births', type: 'count' };
const NOW = Date.UTC(2026, 5, 15, 12);
const ZONES = ['UTC', 'America/Los_Angeles', 'Pacific/Auckland'];

function bounds(day: string, zone: string): { range: { from: number; to: number }; clock: { now: number; dates: ReturnType<typeof calendarDates> } } {
  const dates = calendarDates(zone);
  return { range: periodBounds(reportingPeriod(day as CalendarDate, 1), dates), clock: { now: NOW, dates } };
}

function births(date: TargetEmission['date'], id = 'kid~births'): TargetEmission {
  return { _id: id, type: 'births', pass: true, contact: { _id: 'mum', reported_date: 1 }, ...(date === undefined ? {} : { date }) };
}

describe('targets as cht-core counts them', () => {
  it('when one requester emits an instance id several times, the last one emitted is kept and only then filtered by period, as cht-core stores then filters', () => {
    const june = { from: Date.UTC(2026, 5, 1), to: Date.UTC(2026, 6, 1) - 1 };
    const inJune = Date.UTC(2026, 5, 10);
    const inMay = Date.UTC(2026, 4, 10);
    const value = (emissions: TargetEmission[]) => countTargets([count], june, new Map([['mum', emissions]]))[0]?.value;
    assert.deepEqual(value([births(inJune), births(inMay)]), { pass: 0, total: 0 }, 'the last one (May) is outside June');
    assert.deepEqual(value([births(inMay), births(inJune)]), { pass: 1, total: 1 });
    const store = new TargetStore([count], june);
    store.replace('mum', [births(inJune), { ...births(inMay), pass: false }]);
    assert.deepEqual(store.values()[0]?.value, { pass: 0, total: 0 });
  });

  it('an emission without a date (or a falsy one) counts in the period that holds now, as cht-core dates it by the clock, and in no other', () => {
    for (const zone of ZONES) {
      const current = bounds('2026-06-15', zone);
      const previous = bounds('2026-05-15', zone);
      for (const date of [undefined, null, 0, '']) {
        assert.deepEqual(countTargets([count], current.range, new Map([['mum', [births(date)]]]), current.clock)[0]?.value, { pass: 1, total: 1 }, `${zone} ${String(date)}`);
        assert.deepEqual(countTargets([count], previous.range, new Map([['mum', [births(date)]]]), previous.clock)[0]?.value, { pass: 0, total: 0 }, `${zone} ${String(date)}`);
      }
    }
  });

  it('a date that cannot be read is never counted: the store skips and reports it, countTargets throws a typed error', () => {
    const { range, clock } = bounds('2026-06-15', 'UTC');
    for (const date of ['yesterday', '2026-02-30', Number.NaN, { when: 1 } as never, true]) {
      const store = new TargetStore([count], range, clock);
      const problems = store.replace('mum', [births(date), births(NOW, 'other~births')]);
      assert.deepEqual(problems, [{ kind: 'invalid-target-date', emissionId: 'kid~births', requester: 'mum', date }], String(date));
      assert.deepEqual(store.values()[0]?.value, { pass: 1, total: 1 }, 'only the readable one counts');
      assert.throws(() => countTargets([count], range, new Map([['mum', [births(date)]]]), clock), (err: unknown) => err instanceof FieldsyncTargetError && err.kind === 'invalid-target-date');
    }
  });

  it('a YYYY-MM-DD date counts from local midnight of that day, as moment reads it, in every zone', () => {
    for (const zone of ZONES) {
      const june = bounds('2026-06-15', zone);
      const may = bounds('2026-05-15', zone);
      const emissions = new Map([['mum', [births('2026-06-01', 'a~births'), births('2026-05-31', 'b~births')]]]);
      assert.deepEqual(countTargets([count], june.range, emissions, june.clock)[0]?.value, { pass: 1, total: 1 }, zone);
      assert.deepEqual(countTargets([count], may.range, emissions, may.clock)[0]?.value, { pass: 1, total: 1 }, zone);
    }
  });

  it('a targets.js date function returning a date of birth string counts that child in its birth month only, as cht-core does', () => {
    const rule = targetRule([{ id: 'births', type: 'count', appliesTo: 'contacts', date: (subject) => (subject.contact as { date_of_birth?: string }).date_of_birth }]);
    const kids = [{ _id: 'k1', date_of_birth: '2026-06-03' }, { _id: 'k2', date_of_birth: '2025-01-20' }, { _id: 'k3' }];
    for (const zone of ZONES) {
      const { range, clock } = bounds('2026-06-15', zone);
      const byRequester = new Map(kids.map((contact) => [contact._id, rule({ contact, reports: [] }, NOW)]));
      assert.deepEqual(countTargets([count], range, byRequester, clock)[0]?.value, { pass: 2, total: 2 }, `${zone}: k1 born in June, k3 undated (now)`);
    }
  });
});
