import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ContactId, TaskDoc, UserSettingsId } from '../../lib/codecs/index.js';
import { calendarDates, isTerminal, planTaskWrites } from '../../lib/tasks/index.js';
import type { Emission } from '../../lib/tasks/index.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1, 12);
const user = 'org.couchdb.user:amy' as UserSettingsId;
const alice = 'alice' as ContactId;
const dates = calendarDates('UTC');

function emission(id: string, dueInDays: number, extra: Partial<Emission> = {}): Emission {
  return { _id: id, date: NOW + dueInDays * DAY, readyStart: 2, readyEnd: 3, contact: { _id: alice, name: 'Alice' }, title: 'visit', ...extra };
}

function plan(existing: readonly TaskDoc[], emissions: readonly Emission[], now = NOW, requester = alice): TaskDoc[] {
  return [...planTaskWrites({ user, now, dates, existing, emissions: new Map([[requester, emissions]]) }).writes];
}

/** Existing docs after writing `writes` (replacing by _id). */
function apply(existing: readonly TaskDoc[], writes: readonly TaskDoc[]): TaskDoc[] {
  const byId = new Map(existing.map((d) => [d._id as string, d]));
  for (const w of writes) byId.set(w._id, w);
  return [...byId.values()];
}

describe('task lifecycle', () => {
  it('creates a document for a timely emission with its id, owner, state and history', () => {
    const [doc, ...rest] = plan([], [emission('e1', 1)]);
    assert.equal(rest.length, 0);
    assert.ok(doc);
    assert.equal(doc._id, `task~${user}~e1~${NOW}`);
    assert.equal(doc.type, 'task');
    assert.equal(doc.owner, 'alice');
    assert.equal(doc.requester, 'alice');
    assert.equal(doc.state, 'Ready');
    assert.deepEqual(doc.stateHistory, [{ state: 'Ready', timestamp: NOW }]);
    assert.equal(doc.emission.dueDate, '2026-06-02');
  });

  it('creates nothing for an emission outside 60 days back / 180 ahead, or one already cancelled', () => {
    assert.deepEqual(plan([], [emission('old', -70), emission('far', 200), emission('gone', 1, { deleted: true })]), []);
  });

  it('updates a live document when its emission changes and writes nothing when it did not', () => {
    const [first] = plan([], [emission('e1', 5)]);
    assert.equal(first?.state, 'Draft');
    assert.deepEqual(plan([first], [emission('e1', 5)], NOW + 1000), []);
    const [moved] = plan([first], [emission('e1', 0)], NOW + 1000);
    assert.equal(moved?._id, first?._id);
    assert.equal(moved?.state, 'Ready');
    assert.deepEqual(moved?.stateHistory.map((h) => h.state), ['Draft', 'Ready']);
  });

  it('completes a task when its emission is resolved, then never changes that document again', () => {
    const [ready] = plan([], [emission('e1', 0)]);
    const [done] = plan([ready as TaskDoc], [emission('e1', 0, { resolved: true })], NOW + 1);
    assert.equal(done?.state, 'Completed');
    assert.equal(done?._id, ready?._id);
    // A change after a terminal state makes a new document; the Completed one stays as it is.
    const later = plan([done], [emission('e1', 0)], NOW + 2);
    assert.equal(later.length, 1);
    assert.notEqual(later[0]?._id, done?._id);
    assert.equal(later[0]?.state, 'Ready');
  });

  it('cancels a live task whose requester no longer emits it', () => {
    const [ready] = plan([], [emission('e1', 0), emission('e2', 0)]);
    const writes = plan(plan([], [emission('e1', 0), emission('e2', 0)]), [emission('e2', 0)], NOW + 1);
    assert.equal(ready?.emission._id, 'e1');
    assert.deepEqual(writes.map((w) => [w.emission._id, w.state]), [['e1', 'Cancelled']]);
  });

  it('fails a task whose window passed, and marks an emission without a valid date invalid', () => {
    const [ready] = plan([], [emission('e1', 0)]);
    const [failed] = plan([ready as TaskDoc], [emission('e1', 0)], NOW + 5 * DAY);
    assert.equal(failed?.state, 'Failed');
    const [invalid] = plan([ready as TaskDoc], [emission('e1', 0, { date: 'not a date' })], NOW + 1);
    assert.equal(invalid?.state, 'Cancelled');
    assert.equal(invalid?.stateReason, 'invalid');
  });

  it('keeps one live document per emission from two devices: most ready, then newest', () => {
    const [fromA] = plan([], [emission('e1', 3)], NOW - 2 * DAY); // Draft then
    const [fromB] = plan([], [emission('e1', 0)], NOW - DAY); // Ready, authored later
    assert.ok(fromA && fromB);
    const writes = plan([fromA, fromB], [emission('e1', 0)]);
    const cancelled = writes.filter((w) => w.state === 'Cancelled');
    assert.deepEqual(cancelled.map((w) => [w._id, w.stateReason]), [[fromA._id, 'duplicate']]);
    // The same choice whatever the order of the documents.
    assert.deepEqual(plan([fromB, fromA], [emission('e1', 0)]), writes);
  });

  it('keeps the most ready duplicate even when another is newer, then the newest, then the greatest id', () => {
    // A document as another device wrote it: its own id, authored at `authoredOn`, in `state`.
    const docOf = (state: 'Draft' | 'Ready', authoredOn: number, id: string): TaskDoc => {
      const [made] = plan([], [emission('e1', state === 'Ready' ? 0 : 3)], NOW);
      assert.ok(made);
      return { ...made, _id: id, authoredOn, state, stateHistory: [{ state, timestamp: authoredOn }] } as TaskDoc;
    };
    // Which one is kept: the only one the refresh does not cancel as a duplicate.
    const kept = (docs: readonly TaskDoc[]): string[] => {
      const cancelled = new Set(plan(docs, [emission('e1', 0)]).filter((w) => w.stateReason === 'duplicate').map((w) => w._id));
      assert.equal(cancelled.size, docs.length - 1, 'all but one cancelled');
      return docs.filter((d) => !cancelled.has(d._id)).map((d) => d._id);
    };
    const readyOld = docOf('Ready', NOW - 2 * DAY, `task~${user}~e1~a`);
    const draftNew = docOf('Draft', NOW - DAY, `task~${user}~e1~b`);
    assert.deepEqual(kept([draftNew, readyOld]), [readyOld._id], 'most ready before newest');
    const readyNew = docOf('Ready', NOW - DAY, `task~${user}~e1~c`);
    assert.deepEqual(kept([readyNew, readyOld]), [readyNew._id], 'then newest');
    const twin = docOf('Ready', NOW - DAY, `task~${user}~e1~d`);
    assert.deepEqual(kept([twin, readyNew]), [twin._id], 'then the greatest id');
    assert.deepEqual(kept([readyNew, twin]), [twin._id], 'whatever the order');
  });

  it('does not hide a document authored after now (a clock ahead): it is the live task, kept and cancelled like any other', () => {
    const [future] = plan([], [emission('e1', 0)], NOW + DAY);
    assert.ok(future);
    assert.deepEqual(plan([future], [emission('e1', 0)]), [], 'no second document for the same task');
    assert.deepEqual(plan([future], []).map((w) => [w._id, w.state]), [[future._id, 'Cancelled']]);
  });
});

const emissionArb = fc.record({
  id: fc.constantFrom('e1', 'e2', 'e3', 'e4'),
  due: fc.integer({ min: -80, max: 200 }),
  resolved: fc.boolean(),
  deleted: fc.boolean(),
  badDate: fc.boolean(),
}).map(({ id, due, resolved, deleted, badDate }) => emission(id, due, { resolved, deleted, ...(badDate ? { date: 'nope' } : {}) }));

/** A history: several refreshes at increasing times, each with its own emissions. */
const historyArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 10 * DAY }), fc.array(emissionArb, { maxLength: 5 })), { minLength: 1, maxLength: 5 });

function run(history: ReadonlyArray<readonly [number, readonly Emission[]]>): { docs: TaskDoc[]; now: number } {
  let docs: TaskDoc[] = [];
  let now = NOW;
  for (const [step, emissions] of history) {
    now += step + 1;
    docs = apply(docs, plan(docs, emissions, now));
  }
  return { docs, now };
}

describe('task lifecycle properties', () => {
  it('is idempotent: running it again with the same input writes nothing', () => {
    fc.assert(fc.property(historyArb, fc.array(emissionArb, { maxLength: 5 }), (history, emissions) => {
      const { docs, now } = run(history);
      const first = plan(docs, emissions, now + 1);
      assert.deepEqual(plan(apply(docs, first), emissions, now + 1), []);
    }), { numRuns: 300, seed: 15 });
  });

  it('never changes a terminal document', () => {
    fc.assert(fc.property(historyArb, fc.array(emissionArb, { maxLength: 5 }), fc.integer({ min: 1, max: 30 * DAY }), (history, emissions, later) => {
      const { docs, now } = run(history);
      const terminal = new Set(docs.filter((d) => isTerminal(d.state)).map((d) => d._id as string));
      for (const write of plan(docs, emissions, now + later)) assert.ok(!terminal.has(write._id), `${write._id} was terminal`);
    }), { numRuns: 300, seed: 15 });
  });

  it('leaves at most one live document per emission', () => {
    fc.assert(fc.property(historyArb, (history) => {
      const { docs } = run(history);
      const live = docs.filter((d) => !isTerminal(d.state)).map((d) => d.emission._id);
      assert.equal(new Set(live).size, live.length);
    }), { numRuns: 300, seed: 15 });
  });
});
