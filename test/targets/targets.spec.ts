import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CalendarDate, ContactId, Period, TargetDoc, UserSettingsId } from '../../lib/codecs/index.js';
import { calendarDates } from '../../lib/tasks/index.js';
import {
  aggregateTargets, countTargets, FieldsyncTargetError, periodBounds, reportingPeriod, superviseesOf, TargetStore, targetDocToWrite, targetRule,
} from '../../lib/targets/index.js';
import type { TargetDefinition, TargetEmission, TargetSettings } from '../../lib/targets/index.js';

const d = (s: string): CalendarDate => s as CalendarDate;
const DAY = 86_400_000;
const ALL = { from: 0, to: Number.MAX_SAFE_INTEGER };

describe('reporting periods', () => {
  const table: Array<[string, number, string, string, string]> = [
    ['calendar month', 1, '2026-02-14', '2026-02-01..2026-02-28', '2026-02'],
    ['calendar month, leap year', 1, '2028-02-29', '2028-02-01..2028-02-29', '2028-02'],
    ['start day 15, after it', 15, '2026-03-20', '2026-03-15..2026-04-14', '2026-04'],
    ['start day 15, before it', 15, '2026-03-10', '2026-02-15..2026-03-14', '2026-03'],
    ['start day 15, on it', 15, '2026-03-15', '2026-03-15..2026-04-14', '2026-04'],
    ['start day 15, the day before it', 15, '2026-03-14', '2026-02-15..2026-03-14', '2026-03'],
    ['start day 31 in December', 31, '2026-12-31', '2026-12-31..2027-01-30', '2027-01'],
    ['start day 31 across February', 31, '2026-02-10', '2026-01-31..2026-02-28', '2026-02'],
    ['start day 31, a short month starts none', 31, '2026-03-01', '2026-03-01..2026-03-30', '2026-03'],
    ['start day 31 across April', 31, '2026-04-30', '2026-03-31..2026-04-30', '2026-04'],
    ['start day 30 in a leap February', 30, '2028-02-29', '2028-01-30..2028-02-29', '2028-02'],
    ['start day 29 in a common February', 29, '2026-03-01', '2026-03-01..2026-03-28', '2026-03'],
  ];
  for (const [name, startDay, date, range, period] of table) {
    it(`${name}: ${date} is in ${range} (${period})`, () => {
      const p = reportingPeriod(d(date), startDay);
      assert.equal(`${p.start}..${p.end}`, range);
      assert.equal(p.period, period);
    });
  }

  it('tiles the calendar with no gap or overlap for every start day', () => {
    for (let startDay = 1; startDay <= 31; startDay += 1) {
      let previous = reportingPeriod(d('2026-01-01'), startDay);
      for (let t = Date.UTC(2026, 0, 2); t < Date.UTC(2028, 11, 31); t += DAY) {
        const day = new Date(t).toISOString().slice(0, 10) as CalendarDate;
        const p = reportingPeriod(day, startDay);
        assert.ok(p.start <= day && day <= p.end);
        if (p.start !== previous.start) assert.equal(new Date(Date.parse(previous.end) + DAY).toISOString().slice(0, 10), p.start, `start day ${startDay} at ${day}`);
        previous = p;
      }
    }
  });

  it('gives the instants a period covers in a time zone', () => {
    const table: Array<[string, string, string]> = [
      ['UTC', '2026-11-01T00:00:00.000Z', '2026-11-30T23:59:59.999Z'],
      ['Africa/Nairobi', '2026-10-31T21:00:00.000Z', '2026-11-30T20:59:59.999Z'],
      ['Asia/Kolkata', '2026-10-31T18:30:00.000Z', '2026-11-30T18:29:59.999Z'],
      ['America/Los_Angeles', '2026-11-01T07:00:00.000Z', '2026-12-01T07:59:59.999Z'],
    ];
    for (const [zone, from, to] of table) {
      const bounds = periodBounds(reportingPeriod(d('2026-11-15'), 1), calendarDates(zone));
      assert.deepEqual([new Date(bounds.from).toISOString(), new Date(bounds.to).toISOString()], [from, to], zone);
    }
  });

  it('refuses a month start day outside 1..31', () => {
    assert.throws(() => reportingPeriod(d('2026-01-01'), 0), FieldsyncTargetError);
    assert.throws(() => reportingPeriod(d('2026-01-01'), 32), FieldsyncTargetError);
  });
});

function emission(id: string, type: string, pass: boolean, requester: string, order = 1, extra: Partial<TargetEmission> = {}): TargetEmission {
  return { _id: id, type, pass, date: 10, contact: { _id: requester, reported_date: order }, ...extra };
}

describe('counting target emissions', () => {
  const count: TargetSettings = { id: 'visits', type: 'count' };
  const percent: TargetSettings = { id: 'facility-births', type: 'percent' };
  const grouped: TargetSettings = { id: 'households', type: 'count', passesIfGroupCount: { gte: 2 } };

  it('counts a shared instance id once, for the most recently reported requester', () => {
    const values = countTargets([count], ALL, new Map([
      ['old', [emission('p1~visits', 'visits', false, 'old', 1)]],
      ['new', [emission('p1~visits', 'visits', true, 'new', 5)]],
      ['other', [emission('p2~visits', 'visits', false, 'other', 3)]],
    ]));
    assert.deepEqual(values, [{ id: 'visits', value: { pass: 1, total: 2 } }]);
  });

  it('rounds percentages and gives 0 of 0 as 0', () => {
    const three = new Map([['a', [emission('1', 'facility-births', true, 'a'), emission('2', 'facility-births', false, 'a'), emission('3', 'facility-births', false, 'a')]]]);
    assert.deepEqual(countTargets([percent], ALL, three)[0]?.value, { pass: 1, total: 3, percent: 33 });
    const twoOfThree = new Map([['a', [emission('1', 'facility-births', true, 'a'), emission('2', 'facility-births', true, 'a'), emission('3', 'facility-births', false, 'a')]]]);
    assert.deepEqual(countTargets([percent], ALL, twoOfThree)[0]?.value, { pass: 2, total: 3, percent: 67 });
    assert.deepEqual(countTargets([percent], ALL, new Map())[0]?.value, { pass: 0, total: 0, percent: 0 });
  });

  it('counts groups for passesIfGroupCount: total groups, passing groups with enough passing instances', () => {
    const e = (id: string, group: string | undefined, pass: boolean): TargetEmission => emission(id, 'households', pass, 'r', 1, group === undefined ? {} : { groupBy: group });
    const values = countTargets([grouped], ALL, new Map([['r', [
      e('1', 'h1', true), e('2', 'h1', true), e('3', 'h2', true), e('4', 'h2', false), e('5', 'h3', false), e('6', undefined, true),
    ]]]));
    assert.deepEqual(values[0]?.value, { pass: 1, total: 3 }, 'h1 passes with 2; h2 has one passing; h3 none; ungrouped ignored');
  });

  it('ignores deleted emissions, unknown targets and dates outside the period', () => {
    const values = countTargets([count], { from: 5, to: 15 }, new Map([['r', [
      emission('1', 'visits', true, 'r'), emission('2', 'visits', true, 'r', 1, { deleted: true }),
      emission('3', 'unknown', true, 'r'), emission('4', 'visits', true, 'r', 1, { date: 20 }),
    ]]]));
    assert.deepEqual(values[0]?.value, { pass: 1, total: 1 });
  });

  it('replacing one requester\'s emissions gives the same values as counting from scratch', () => {
    const store = new TargetStore([count, grouped], ALL);
    store.replace('a', [emission('p1~visits', 'visits', true, 'a', 1), emission('x', 'households', true, 'a', 1, { groupBy: 'h' })]);
    store.replace('b', [emission('p1~visits', 'visits', false, 'b', 2), emission('y', 'households', true, 'b', 2, { groupBy: 'h' })]);
    assert.deepEqual(store.values().map((v) => v.value), [{ pass: 0, total: 1 }, { pass: 1, total: 1 }]);
    store.replace('b', []);
    assert.deepEqual(store.values().map((v) => v.value), [{ pass: 1, total: 1 }, { pass: 0, total: 1 }]);
  });
});

const settingsArb: TargetSettings[] = [
  { id: 't1', type: 'count' }, { id: 't2', type: 'percent' }, { id: 't3', type: 'count', passesIfGroupCount: { gte: 2 } },
];
const emissionArb = fc.record({
  instance: fc.constantFrom('i1', 'i2', 'i3', 'i4'),
  type: fc.constantFrom('t1', 't2', 't3'),
  pass: fc.boolean(),
  date: fc.integer({ min: 1, max: 30 }), // 0 would be undated (now)
  order: fc.integer({ min: 0, max: 5 }),
  group: fc.option(fc.constantFrom('g1', 'g2'), { nil: undefined }),
});
const requestersArb = fc.dictionary(fc.constantFrom('r1', 'r2', 'r3', 'r4'), fc.array(emissionArb, { maxLength: 6 }));

describe('target counting properties', () => {
  const toMap = (byRequester: Record<string, Array<{ instance: string; type: string; pass: boolean; date: number; order: number; group: string | undefined }>>, reverse: boolean): Map<string, TargetEmission[]> => {
    const entries = Object.entries(byRequester).map(([r, list]): [string, TargetEmission[]] => {
      // A requester has one reported_date: take its first emission's order.
      const order = list[0]?.order ?? 0;
      const emissions = list.map((e) => emission(`${e.instance}~${e.type}`, e.type, e.pass, r, order, { date: e.date, ...(e.group ? { groupBy: e.group } : {}) }));
      return [r, reverse ? emissions.reverse() : emissions];
    });
    return new Map(reverse ? entries.reverse() : entries);
  };

  it('does not depend on the order of emissions or requesters', () => {
    fc.assert(fc.property(requestersArb, (byRequester) => {
      // Within one requester a repeated instance keeps its last emission, so compare only distinct ones.
      const distinct = Object.fromEntries(Object.entries(byRequester).map(([r, list]) => [r, list.filter((e, i) => list.findIndex((o) => o.instance === e.instance && o.type === e.type) === i)]));
      const range = { from: 5, to: 25 };
      assert.deepEqual(countTargets(settingsArb, range, toMap(distinct, false)), countTargets(settingsArb, range, toMap(distinct, true)));
    }), { numRuns: 500, seed: 17 });
  });

  it('incremental replacement always equals a recount from scratch', () => {
    fc.assert(fc.property(requestersArb, fc.array(fc.tuple(fc.constantFrom('r1', 'r2', 'r3', 'r4'), fc.array(emissionArb, { maxLength: 6 })), { maxLength: 6 }), (initial, changes) => {
      const range = { from: 5, to: 25 };
      const current = toMap(initial, false);
      const store = new TargetStore(settingsArb, range);
      for (const [r, list] of current) store.replace(r, list);
      for (const [r, list] of changes) {
        const replaced = toMap({ [r]: list }, false).get(r) ?? [];
        current.set(r, replaced);
        store.replace(r, replaced);
        assert.deepEqual(store.values(), countTargets(settingsArb, range, current));
      }
    }), { numRuns: 300, seed: 17 });
  });
});

describe('targets.js definitions', () => {
  type C = { _id: string; type: string; reported_date: number; sex?: string };
  type R = { _id: string; form: string; reported_date: number; fields: { place?: string; household?: string } };
  const mother: C = { _id: 'm', type: 'person', reported_date: 100, sex: 'female' };
  const reports: R[] = [
    { _id: 'd1', form: 'delivery', reported_date: 1_000, fields: { place: 'facility' } },
    { _id: 'd2', form: 'delivery', reported_date: 2_000, fields: { place: 'home' } },
    { _id: 'v1', form: 'visit', reported_date: 3_000, fields: { household: 'h1' } },
  ];
  const definitions: Array<TargetDefinition<C, R>> = [
    { id: 'births-at-facility', type: 'percent', appliesTo: 'reports', appliesToType: ['delivery'], idType: 'report', date: 'reported', passesIf: (_s, r) => r?.fields.place === 'facility', goal: 80, aggregate: true },
    { id: 'women-registered', type: 'count', appliesTo: 'contacts', appliesToType: ['person'], appliesIf: (s) => s.contact.sex === 'female', aggregate: true },
    { id: 'visited-households', type: 'count', appliesTo: 'reports', appliesToType: ['visit'], idType: (_s, r) => [`${r?.fields.household}`, 'all'], groupBy: (_s, r) => r?.fields.household ?? '', passesIfGroupCount: { gte: 1 } },
  ];

  it('emits instances by idType, dated by report or now, passing by passesIf', () => {
    const emissions = targetRule(definitions)({ contact: mother, reports }, 9_999);
    assert.deepEqual(emissions.map((e) => [e._id, e.pass, e.date]), [
      ['d1~births-at-facility', true, 1_000], ['d2~births-at-facility', false, 2_000],
      ['m~women-registered', true, 9_999],
      ['h1~visited-households', true, 9_999], ['all~visited-households', true, 9_999],
    ]);
    assert.equal(emissions[3]?.groupBy, 'h1');
  });

  it('refuses definitions it cannot count', () => {
    assert.throws(() => targetRule([{ id: 'x', type: 'ratio', appliesTo: 'reports', passesIfGroupCount: { gte: 0 } } as never]), (err: unknown) =>
      err instanceof FieldsyncTargetError && err.problems.length === 3);
  });
});

describe('the target document', () => {
  const dates = calendarDates('UTC');
  const base = { user: 'org.couchdb.user:amy' as UserSettingsId, owner: 'amy-contact' as ContactId, period: '2026-11' as Period, dates };
  const values = [{ id: 'visits', value: { pass: 3, total: 5 } }];
  const noon = Date.UTC(2026, 10, 20, 12);

  it('is created with its id when missing', () => {
    const doc = targetDocToWrite({ ...base, values, now: noon });
    assert.equal(doc?._id, 'target~2026-11~amy-contact~org.couchdb.user:amy');
    assert.equal(doc?.reporting_period, '2026-11');
    assert.deepEqual(doc?.targets, values);
  });

  it('is written when it is missing or a pass or total changes, and not otherwise, as cht-core writes it (no daily rewrite)', () => {
    const stored = targetDocToWrite({ ...base, values, now: noon }) as TargetDoc;
    assert.equal(targetDocToWrite({ ...base, values, existing: stored, now: noon + 3_600_000 }), undefined, 'same day, same values');
    const changed = targetDocToWrite({ ...base, values: [{ id: 'visits', value: { pass: 4, total: 5 } }], existing: stored, now: noon + 60_000 });
    assert.equal(changed?.targets[0]?.value.pass, 4);
    assert.equal(changed?._id, stored._id);
    assert.equal(targetDocToWrite({ ...base, values, existing: stored, now: noon + DAY }), undefined, 'the next day, same values: nothing to write');
  });
});

describe('supervisor aggregates over a 3-level hierarchy', () => {
  // district > two health centres, each with a CHW; the supervisor's home is the district.
  const places = [
    { _id: 'district', contact: { _id: 'supervisor' } },
    { _id: 'hc1', parent: { _id: 'district' }, contact: { _id: 'chw1', parent: { _id: 'hc1' } } },
    { _id: 'hc2', parent: { _id: 'district' }, contact: 'chw2' },
    { _id: 'household', parent: { _id: 'hc1', parent: { _id: 'district' } }, contact: { _id: 'mother' } },
  ];
  const settings: TargetSettings[] = [
    { id: 'visits', type: 'count', aggregate: true },
    { id: 'facility-births', type: 'percent', goal: 50, aggregate: true },
    { id: 'private', type: 'count' },
  ];
  const doc = (owner: string, period: string, visits: [number, number], births: [number, number], updated = 1): TargetDoc => ({
    _id: `target~${period}~${owner}~org.couchdb.user:${owner}`, type: 'target', user: `org.couchdb.user:${owner}`, owner, reporting_period: period, updated_date: updated,
    targets: [{ id: 'visits', value: { pass: visits[0], total: visits[1] } }, { id: 'facility-births', value: { pass: births[0], total: births[1], percent: Math.round((births[0] * 100) / births[1]) } }],
  }) as unknown as TargetDoc;

  it('finds the supervisees as the primary contacts of the places directly below', () => {
    assert.deepEqual(superviseesOf(places, 'district'), ['chw1', 'chw2']);
  });

  it('sums values without a goal, counts who met a goal, ignores other periods and people', () => {
    const docs = [doc('chw1', '2026-11', [3, 4], [1, 2]), doc('chw2', '2026-11', [5, 6], [1, 4]), doc('chw1', '2026-10', [9, 9], [9, 9]), doc('mother', '2026-11', [1, 1], [1, 1])];
    const [visits, births, ...rest] = aggregateTargets(settings, docs, superviseesOf(places, 'district'), '2026-11' as Period);
    assert.equal(rest.length, 0, 'only targets marked aggregate');
    assert.deepEqual(visits?.total, { pass: 8, total: 10 });
    assert.deepEqual(visits?.bySupervisee.map((s) => s.owner), ['chw1', 'chw2']);
    assert.equal(births?.metGoal, 1, 'chw1 at 50 % meets 50, chw2 at 25 % does not');
    assert.deepEqual(births?.total, { pass: 1, total: 2, percent: 50 });
    const none = aggregateTargets(settings, [], ['chw1'], '2026-11' as Period);
    assert.deepEqual(none[0]?.bySupervisee[0]?.value, { pass: 0, total: 0 }, 'no document: 0 of 0');
  });

  it('counts, of several documents of one supervisee, the most recently updated, then the greatest id', () => {
    const older = doc('chw1', '2026-11', [1, 4], [1, 2], 1);
    const newer = doc('chw1', '2026-11', [2, 4], [1, 2], 2);
    const renamed = (d: TargetDoc, id: string): TargetDoc => ({ ...d, _id: id }) as unknown as TargetDoc;
    const visitsOf = (docs: readonly TargetDoc[]): unknown => aggregateTargets(settings, docs, ['chw1'], '2026-11' as Period)[0]?.total;
    assert.deepEqual(visitsOf([newer, renamed(older, `${older._id}~z`)]), { pass: 2, total: 4 }, 'the most recently updated, though its id is smaller');
    assert.deepEqual(visitsOf([renamed(older, `${older._id}~z`), newer]), { pass: 2, total: 4 }, 'in any order');
    const twin = { ...newer, _id: `${newer._id}~z`, targets: [{ id: 'visits', value: { pass: 3, total: 4 } }] } as TargetDoc;
    assert.deepEqual(visitsOf([twin, newer]), { pass: 3, total: 4 }, 'equally recent: the greater id');
    assert.deepEqual(visitsOf([newer, twin]), { pass: 3, total: 4 }, 'in any order');
  });

  it('does not depend on the order of the documents', () => {
    const docs = [doc('chw1', '2026-11', [3, 4], [1, 2], 1), doc('chw1', '2026-11', [4, 4], [2, 2], 2), doc('chw2', '2026-11', [5, 6], [1, 4])];
    // Same owner twice (two devices): the most recently updated one counts.
    const docsB = [docs[2], docs[1], docs[0]].map((x) => ({ ...x, _id: `${x?._id}` })) as TargetDoc[];
    fc.assert(fc.property(fc.shuffledSubarray(docsB, { minLength: 3, maxLength: 3 }), (shuffled) => {
      assert.deepEqual(aggregateTargets(settings, shuffled, ['chw1', 'chw2'], '2026-11' as Period), aggregateTargets(settings, docs, ['chw1', 'chw2'], '2026-11' as Period));
    }), { seed: 17 });
  });
});
