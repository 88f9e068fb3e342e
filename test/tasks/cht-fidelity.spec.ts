import assert from 'node:assert/strict';
import type { ContactId, UserSettingsId } from '../../lib/codecs/index.js';
import { calendarDates, displayWindow, planTaskWrites, stateFor } from '../../lib/tasks/index.js';
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
