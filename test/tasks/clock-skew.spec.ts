import assert from 'node:assert/strict';
import type { ContactId, TaskDoc, UserSettingsId } from '../../lib/codecs/index.js';
import { ageTaskDocs, calendarDates, isTerminal, planTaskWrites } from '../../lib/tasks/index.js';
import type { Emission } from '../../lib/tasks/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 5, 1, 8);
const user = 'org.couchdb.user:amy' as UserSettingsId;
const requester = 'c1' as ContactId;
const dates = calendarDates('UTC');

/** Ten tasks due `dueInDays` after T0, shown five days either side. */
function tasks(dueInDays: number): Emission[] {
  return Array.from({ length: 10 }, (_, i) => ({ _id: `e${i}`, date: T0 + dueInDays * DAY, readyStart: 5, readyEnd: 5, contact: { _id: requester, name: 'C' } }));
}

/**
 * Devices of one user that refresh with their own clocks and then sync. A sync keeps, per id, the
 * revision with more edits (ties: the greater JSON), as CouchDB picks a winning revision.
 */
class Devices {
  private readonly docs: Array<Map<string, { doc: TaskDoc; rev: number }>>;
  constructor(count: number) {
    this.docs = Array.from({ length: count }, () => new Map());
  }

  refresh(device: number, now: number, emissions: readonly Emission[]): void {
    const local = this.docs[device] as Map<string, { doc: TaskDoc; rev: number }>;
    const existing = [...local.values()].map((r) => r.doc);
    const { writes } = planTaskWrites({ user, now, dates, existing, emissions: new Map([[requester, emissions]]) });
    for (const doc of writes) local.set(doc._id, { doc, rev: (local.get(doc._id)?.rev ?? 0) + 1 });
  }

  sync(): void {
    const winners = new Map<string, { doc: TaskDoc; rev: number }>();
    for (const local of this.docs) {
      for (const [id, r] of local) {
        const w = winners.get(id);
        if (!w || r.rev > w.rev || (r.rev === w.rev && JSON.stringify(r.doc) > JSON.stringify(w.doc))) winners.set(id, r);
      }
    }
    for (const local of this.docs) {
      local.clear();
      for (const [id, r] of winners) local.set(id, r);
    }
  }

  all(device = 0): TaskDoc[] {
    return [...(this.docs[device] as Map<string, { doc: TaskDoc; rev: number }>).values()].map((r) => r.doc);
  }

  /** Live documents per emission id. */
  live(device = 0): Map<string, TaskDoc[]> {
    const out = new Map<string, TaskDoc[]>();
    for (const doc of this.all(device).filter((d) => !isTerminal(d.state))) out.set(doc.emission._id, [...(out.get(doc.emission._id) ?? []), doc]);
    return out;
  }
}

describe('tasks on devices whose clocks disagree', () => {
  it('differs: a device 24 h ahead converges with the others (cht-core ignores and cancels documents authored after now): 30 hourly refreshes make no document after the first ones, and one live task per emission remains', () => {
    const devices = new Devices(2);
    const emissions = tasks(3);
    const counts: number[] = [];
    for (let hour = 0; hour < 30; hour++) {
      devices.refresh(0, T0 + hour * HOUR, emissions);
      devices.refresh(1, T0 + hour * HOUR + DAY, emissions);
      devices.sync();
      counts.push(devices.all().length);
    }
    // Each device made its ten before they first synced; nothing is made after that.
    assert.deepEqual(new Set(counts), new Set([20]), `documents per hour: ${counts.join(',')}`);
    for (const device of [0, 1]) {
      const live = devices.live(device);
      assert.equal(live.size, 10);
      assert.ok([...live.values()].every((docs) => docs.length === 1 && docs[0]?.state === 'Ready'));
    }
  });

  it('a Failed state made by a device 30 days ahead is never final: the count stays bounded while it is skewed, and once its clock is right every task is live again', () => {
    const devices = new Devices(2);
    const emissions = tasks(3);
    for (let hour = 0; hour < 30; hour++) {
      devices.refresh(0, T0 + hour * HOUR, emissions);
      devices.refresh(1, T0 + hour * HOUR + 30 * DAY, emissions);
      devices.sync();
      assert.ok(devices.all().length <= 20, `hour ${hour}: ${devices.all().length} documents`);
    }
    // The clock is corrected: both devices agree it is T0 + 30 h.
    const before = devices.all().length;
    for (let hour = 30; hour < 33; hour++) {
      for (const device of [0, 1]) devices.refresh(device, T0 + hour * HOUR, emissions);
      devices.sync();
    }
    assert.equal(devices.all().length, before, 'the tasks come back in the documents that were failed, not in new ones');
    for (const device of [0, 1]) {
      const live = devices.live(device);
      assert.equal(live.size, 10, 'every task is live again');
      assert.ok([...live.values()].every((docs) => docs.length === 1 && docs[0]?.state === 'Ready'));
    }
  });

  it('a Failed state recorded after now is recomputed when documents age, and one recorded before now stays', () => {
    const [ready] = planTaskWrites({ user, now: T0, dates, existing: [], emissions: new Map([[requester, tasks(3).slice(0, 1)]]) }).writes;
    assert.ok(ready);
    const failedAhead: TaskDoc = { ...ready, state: 'Failed', stateHistory: [...ready.stateHistory, { state: 'Failed', timestamp: T0 + 30 * DAY }] };
    const [reopened, ...rest] = ageTaskDocs([failedAhead], { now: T0 + HOUR, dates });
    assert.equal(rest.length, 0);
    assert.equal(reopened?.state, 'Ready');
    assert.deepEqual(reopened?.stateHistory, ready.stateHistory, 'the entry from the future is gone');
    assert.deepEqual(ageTaskDocs([failedAhead], { now: T0 + 31 * DAY, dates }), [], 'final once its time has come');
  });

  it('a document authored by a clock ahead competes as a duplicate like any other, chosen the same way on every device', () => {
    const plan = (now: number, existing: readonly TaskDoc[]) => planTaskWrites({ user, now, dates, existing, emissions: new Map([[requester, tasks(0).slice(0, 1)]]) }).writes;
    const [mine] = plan(T0, []);
    const [ahead] = plan(T0 + DAY, []);
    assert.ok(mine && ahead);
    const here = plan(T0 + HOUR, [mine, ahead]);
    const there = plan(T0 + DAY + HOUR, [mine, ahead]);
    assert.deepEqual(here.map((d) => [d._id, d.state, d.stateReason]), [[mine._id, 'Cancelled', 'duplicate']]);
    assert.deepEqual(there.map((d) => [d._id, d.state, d.stateReason]), [[mine._id, 'Cancelled', 'duplicate']]);
  });
});
