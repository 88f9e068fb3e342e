import assert from 'node:assert/strict';
import type { TaskDoc, UserSettingsId } from '../../lib/codecs/index.js';
import { createSyncClient } from '../../lib/sync/client/index.js';
import { calendarDates, definitionRule, emissionsFor, isTerminal, planTaskWrites } from '../../lib/tasks/index.js';
import type { RuleContact, RuleReport } from '../../lib/tasks/index.js';
import { memoryPouch } from '../support/pouch.js';
import { syncWorld } from './world.js';

describe('tasks computed offline on two devices of one user', function () {
  this.timeout(60_000);

  it('end with exactly one live task per emission on both devices after they sync', async () => {
    const world = await syncWorld();
    try {
      const me = world.user('chw11');
      const user = `org.couchdb.user:${me.name}` as UserSettingsId;
      const dates = calendarDates('UTC');
      const devices = [memoryPouch<Record<string, unknown>>(), memoryPouch<Record<string, unknown>>()].map((local) => ({
        local, client: createSyncClient({ local, url: world.url, auth: { username: me.name, password: me.password } }),
      }));
      for (const d of devices) await d.client.sync();
      const T = Date.UTC(2026, 10, 20, 9);
      const rule = definitionRule<RuleContact, RuleReport>([{
        name: 'check', appliesTo: 'contacts', appliesToType: ['person'], events: [{ dueDate: () => T, start: 2, end: 2 }], actions: [{ form: 'home_visit' }],
      }], dates);
      const plan = async (local: PouchDB.Database<Record<string, unknown>>, now: number): Promise<number> => {
        const docs = (await local.allDocs({ include_docs: true })).rows.flatMap((r) => (r.doc ? [r.doc] : []));
        const people = docs.filter((d) => d['type'] === 'person') as unknown as RuleContact[];
        const existing = docs.filter((d) => d['type'] === 'task') as unknown as TaskDoc[];
        const { writes } = planTaskWrites({ user, now, dates, existing, emissions: emissionsFor([rule], people.map((contact) => ({ contact, reports: [] }))) });
        if (writes.length > 0) await local.bulkDocs(writes as unknown as Array<Record<string, unknown>>);
        return writes.length;
      };
      // Offline, each device computes the same tasks at a slightly different time: different task ids.
      const [a, b] = devices as [typeof devices[0], typeof devices[0]];
      const created = await plan(a.local, T);
      assert.ok(created > 5);
      assert.equal(await plan(b.local, T + 1_000), created);
      // Both sync: each now holds both sets, so every emission has two live documents.
      await a.client.sync();
      await b.client.sync();
      await a.client.sync();
      const liveOf = async (local: PouchDB.Database<Record<string, unknown>>): Promise<Map<string, number>> => {
        const tasks = (await local.allDocs({ include_docs: true, startkey: 'task~', endkey: 'task~\uffff' })).rows.map((r) => r.doc as unknown as TaskDoc);
        const live = new Map<string, number>();
        for (const t of tasks.filter((x) => !isTerminal(x.state))) live.set(t.emission._id, (live.get(t.emission._id) ?? 0) + 1);
        return live;
      };
      assert.ok([...(await liveOf(a.local)).values()].every((n) => n === 2), 'duplicates after the first sync');
      // Each device refreshes on its own, then they sync: the same duplicate is cancelled everywhere.
      await plan(a.local, T + 60_000);
      await plan(b.local, T + 61_000);
      for (const d of [a, b, a, b]) await d.client.sync();
      for (const d of [a, b]) {
        const live = await liveOf(d.local);
        assert.equal(live.size, created);
        assert.ok([...live.values()].every((n) => n === 1), 'exactly one live task per emission');
      }
      const server = (await world.admin.list({ include_docs: true, startkey: 'task~', endkey: 'task~\uffff' })).rows.map((r) => r.doc as unknown as TaskDoc);
      assert.equal(server.filter((t) => !isTerminal(t.state)).length, created, 'and on the server');
    } finally {
      await world.stop();
    }
  });
});
