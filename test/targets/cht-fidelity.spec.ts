import assert from 'node:assert/strict';
import type { CalendarDate } from '../../lib/codecs/index.js';
import { calendarDates } from '../../lib/tasks/index.js';
import { countTargets, FieldsyncTargetError, periodBounds, previousReportingPeriod, reportingPeriod, targetDocToWrite, TargetStore, targetRule } from '../../lib/targets/index.js';
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

describe('targets: counting, documents and periods as cht-core does them', () => {
  const { range, clock } = bounds('2026-06-15', 'UTC');
  const grouped: TargetSettings = { id: 'visited', type: 'count', passesIfGroupCount: { gte: 1 } };
  const visit = (id: string, groupBy: unknown): TargetEmission => ({ _id: `${id}~visited`, type: 'visited', pass: true, date: NOW, contact: { _id: 'chw', reported_date: 1 }, groupBy: groupBy as string });

  it('a falsy groupBy (\'\' or 0) is ungrouped, as cht-core skips `!groupBy`; other values group by their string', () => {
    const values = countTargets([grouped], range, new Map([['chw', [visit('a', ''), visit('b', 0), visit('c', 'h1'), visit('d', 'h1'), visit('e', 7)]]]), clock);
    assert.deepEqual(values[0]?.value, { pass: 2, total: 2 });
  });

  it('lists targets in object-key order, as cht-core\'s target document does: integer-like ids ascending first, then the others as defined', () => {
    const settings: TargetSettings[] = ['b', '10', 'a', '2', '07'].map((id) => ({ id, type: 'count' as const }));
    assert.deepEqual(new TargetStore(settings, range, clock).values().map((v) => v.id), ['2', '10', 'b', 'a', '07']);
  });

  it('stores updated_date as the local start of the day, as cht-core\'s moment().startOf(\'day\'), in every zone', () => {
    const values = [{ id: 'births', value: { pass: 1, total: 1 } }];
    for (const [zone, midnight] of [['UTC', Date.UTC(2026, 5, 15)], ['America/Los_Angeles', Date.UTC(2026, 5, 15, 7)], ['Pacific/Auckland', Date.UTC(2026, 5, 15, 12)]] as const) {
      const doc = targetDocToWrite({ user: 'org.couchdb.user:amy' as never, owner: 'amy' as never, period: '2026-06' as never, values, now: NOW, dates: calendarDates(zone) });
      assert.equal(doc?.updated_date, midnight, zone);
    }
  });

  it('tells whether storing a contact\'s emissions changed anything and whether a value changed, as cht-core\'s isUpdated lets an app know when to write', () => {
    const store = new TargetStore([count], range, clock);
    assert.deepEqual(store.update('mum', [births(NOW)]), { emissionsChanged: true, valuesChanged: true, problems: [] });
    assert.deepEqual(store.update('mum', [births(NOW)]), { emissionsChanged: false, valuesChanged: false, problems: [] });
    assert.deepEqual(store.update('dad', [births(NOW)]), { emissionsChanged: true, valuesChanged: false, problems: [] }, 'the same instance from another requester');
    assert.deepEqual(store.update('mum', [{ ...births(NOW), pass: false }]), { emissionsChanged: true, valuesChanged: true, problems: [] }, 'mum (the greater id of two reported together) is counted');
    assert.deepEqual(store.update('dad', []), { emissionsChanged: true, valuesChanged: false, problems: [] });
    assert.deepEqual(store.update('nobody', []), { emissionsChanged: false, valuesChanged: false, problems: [] });
  });

  it('gives the previous period as cht-core\'s getPrevious: the period holding the same day a month earlier, which skips a short period', () => {
    const prev = (day: string, start: number) => previousReportingPeriod(day as CalendarDate, start);
    assert.deepEqual(prev('2026-03-15', 1), { start: '2026-02-01', end: '2026-02-28', period: '2026-02' });
    assert.deepEqual(prev('2026-03-31', 31), { start: '2026-01-31', end: '2026-02-28', period: '2026-02' }, '03-01…03-30 is skipped');
    assert.deepEqual(reportingPeriod('2026-03-31' as CalendarDate, 31), { start: '2026-03-31', end: '2026-04-30', period: '2026-04' });
    assert.deepEqual(prev('2026-01-10', 26), { start: '2025-11-26', end: '2025-12-25', period: '2025-12' });
  });

  it('runs emitCustom in place of emitting, as cht-conf\'s target emitter does: it may emit changed copies, several or none', () => {
    const rule = targetRule([{
      id: 'refs', type: 'count', appliesTo: 'reports', idType: 'report', date: 'reported',
      emitCustom(emit, instance, _subject, report) { if (report?._id !== 'skip') { emit(instance); emit({ ...instance, _id: `${instance._id}-copy` }); } },
    }]);
    const emissions = rule({ contact: { _id: 'mum' }, reports: [{ _id: 'r1', reported_date: NOW }, { _id: 'skip', reported_date: NOW }] }, NOW);
    assert.deepEqual(emissions.map((e) => e._id), ['r1~refs', 'r1~refs-copy']);
  });
});

describe('targets: where fieldsync differs from cht-core on purpose (docs/cht-differences.md)', () => {
  const { range, clock } = bounds('2026-06-15', 'UTC');

  it('differs: requesters reported at the same time share an instance by the greater contact id, where cht-core keeps the first stored (which depends on refresh order)', () => {
    const tie = (requester: string, pass: boolean): TargetEmission => ({ ...births(NOW), pass, contact: { _id: requester, reported_date: 5 } });
    for (const order of [['a', 'b'], ['b', 'a']]) {
      const byRequester = new Map(order.map((r) => [r, [tie(r, r === 'b')]]));
      assert.deepEqual(countTargets([count], range, byRequester, clock)[0]?.value, { pass: 1, total: 1 }, order.join());
    }
  });

  it('differs: entries an app stored beside id and value are kept when the document is rewritten, where cht-core writes {id, value} only', () => {
    const dates = calendarDates('UTC');
    const base = { user: 'org.couchdb.user:amy' as never, owner: 'amy' as never, period: '2026-06' as never, dates };
    const stored = targetDocToWrite({ ...base, values: [{ id: 'births', value: { pass: 1, total: 1 } }], now: NOW }) ?? assert.fail();
    const withNote = { ...stored, targets: [{ ...stored.targets[0], id: 'births', value: { pass: 1, total: 1 }, note: 'kept' }] };
    const next = targetDocToWrite({ ...base, values: [{ id: 'births', value: { pass: 2, total: 2 } }], existing: withNote, now: NOW });
    assert.equal((next?.targets[0] as { note?: string } | undefined)?.note, 'kept');
  });
});
