import assert from 'node:assert/strict';
import { chtAccessRules } from '../../lib/cht/rules.js';
import { changeIndex } from '../../lib/sync/gateway/change-index.js';
import { gatewayCouch } from '../../lib/sync/gateway/couch.js';
import type { FeedResponse, IdsResponse } from '../../lib/sync/protocol.js';
import { attackWorld } from '../security/gateway-attacker.js';
import type { AttackWorld, Who } from '../security/gateway-attacker.js';
import { feed, who } from './feed.js';
import { reportBy } from './stock.js';

/** A promise with whether it settled yet. */
function watched<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  void promise.then(() => { done = true; }, () => { done = true; });
  return { promise, settled: () => done };
}

describe('gateway _changes longpoll: only the users a change concerns are woken', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  // Longer than any test may run: a longpoll without a timeout is answered only when woken.
  before(async () => { w = await attackWorld({ maxWaitMs: 120_000 }); });
  after(async () => { await w.stop(); });

  const patientOf = (name: string, other: string): string => w.world.data.medic.find((d) => d.type === 'person'
    && w.visibleTo(name).has(d._id) && !w.visibleTo(other).has(d._id))!._id;

  it('answers A\'s longpoll with a write visible to A, while B\'s stays open and then times out empty', async () => {
    const a = who(w, 'chw11');
    const b = who(w, 'chw12');
    const sinceA = (await feed(w, a, 'since=now')).last_seq;
    const sinceB = (await feed(w, b, 'since=now')).last_seq;
    const waitB = watched(w.request(b, 'GET', `_changes?feed=longpoll&timeout=4000&since=${encodeURIComponent(sinceB)}`));
    const waitA = watched(w.request(a, 'GET', `_changes?feed=longpoll&timeout=15000&since=${encodeURIComponent(sinceA)}`));
    const id = patientOf('chw11', 'chw12');
    const stored = await w.world.admin.get(id);
    const written = await w.world.admin.insert({ ...stored, name: 'Woken' });
    const answerA = await waitA.promise;
    assert.equal(answerA.status, 200, answerA.text);
    assert.deepEqual((answerA.json as FeedResponse).results.map((e) => [e.id, e.changes[0]?.rev]), [[id, written.rev]]);
    assert.equal(waitB.settled(), false, 'B is still waiting when A has its answer');
    const answerB = await waitB.promise;
    assert.equal(answerB.status, 200, answerB.text);
    const bodyB = answerB.json as FeedResponse;
    assert.deepEqual(bodyB.results, []);
    assert.equal(typeof bodyB.last_seq, 'string');
  });

  /** Ids `user` may have by the pull list: the rules' own answer, private reports included. */
  const pullList = async (user: Who): Promise<Set<string>> => {
    const answer = await w.request(user, 'GET', '_fieldsync/ids');
    assert.equal(answer.status, 200, answer.text.slice(0, 300));
    return new Set((answer.json as IdsResponse).rows.map((row) => row.id));
  };

  /**
   * Opens longpolls from now, has `author` push `report` through the gateway, and checks who hears of it:
   * each of `readers` (user names) is woken and answered with it (their longpolls have no timeout: one not
   * woken fails the test by its own timeout); each of `others` is not: one longpoll times out empty, and
   * another stays open until a later write of their own reaches it, answered with that write alone.
   */
  const longpollsOf = async (author: string, report: Record<string, unknown> & { _id: string }, readers: readonly string[], others: readonly string[]): Promise<void> => {
    const open = async (name: string, timeout?: number) => {
      const user = who(w, name);
      const since = (await feed(w, user, 'since=now')).last_seq;
      const query = `feed=longpoll${timeout === undefined ? '' : `&timeout=${timeout}`}&since=${encodeURIComponent(since)}`;
      return { name, user, since, wait: watched(w.request(user, 'GET', `_changes?${query}`)) };
    };
    const answered = await Promise.all(readers.map((name) => open(name)));
    const timingOut = await Promise.all(others.map((name) => open(name, 3_000)));
    const staying = await Promise.all(others.map((name) => open(name, 30_000)));
    const pushed = await w.json(who(w, author), 'POST', '_bulk_docs', { docs: [report] });
    assert.equal(pushed.status, 201, pushed.text);
    assert.equal((pushed.json as Array<{ ok?: boolean }>)[0]?.ok, true, pushed.text);
    for (const { name, wait } of answered) {
      const answer = await wait.promise;
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual((answer.json as FeedResponse).results.map((e) => e.id), [report._id], `${name} is answered with the report`);
    }
    for (const { name, wait } of staying) assert.equal(wait.settled(), false, `${name} is still waiting when the readers have their answers`);
    for (const { name, wait } of timingOut) {
      const answer = await wait.promise;
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual((answer.json as FeedResponse).results, [], `${name} times out empty`);
    }
    for (const { name, user, since, wait } of staying) {
      const own = await w.world.admin.insert(reportBy(w.world.user(name), `longpoll-later-${report._id}-${name}`));
      const answer = await wait.promise;
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual((answer.json as FeedResponse).results.map((e) => e.id), [own.id], `${name} is answered with their own later write only`);
      // Nor does the report reach them later.
      assert.deepEqual((await feed(w, user, `since=${encodeURIComponent(since)}`)).results.map((e) => e.id), [own.id], `${name} later`);
    }
  };

  it('answers a CHW\'s report about a patient of their area to their other device and their supervisor, never to another CHW', async () => {
    const patient = patientOf('chw11', 'chw12');
    assert.ok(w.visibleTo('supervisor1').has(patient), 'the supervisor sees the patient');
    const report = { ...reportBy(w.world.user('chw11'), 'longpoll-report-1'), fields: { patient_uuid: patient } };
    // chw11 twice: the device that wrote it waits too, as the other device of the same CHW.
    await longpollsOf('chw11', report, ['chw11', 'supervisor1'], ['chw12']);
    const lists = await Promise.all(['chw11', 'supervisor1', 'chw12'].map((name) => pullList(who(w, name))));
    assert.deepEqual(lists.map((ids) => ids.has(report._id)), [true, true, false]);
  });

  it('answers a private report about a CHW, by their supervisor, to the supervisor only: not to the CHW it is about, nor another', async () => {
    const report = {
      ...reportBy(w.world.user('supervisor1'), 'longpoll-private-1'), fields: { private: true, patient_uuid: w.world.user('chw11').contactId },
    };
    await longpollsOf('supervisor1', report, ['supervisor1'], ['chw11', 'chw12']);
    // The rules agree: the CHT private report is hidden from the user it is about, who does not see its author.
    const lists = await Promise.all(['supervisor1', 'chw11', 'chw12'].map((name) => pullList(who(w, name))));
    assert.deepEqual(lists.map((ids) => ids.has(report._id)), [true, false, false]);
  });

  it('writes heartbeat newlines while it waits, then the answer', async () => {
    const me = who(w, 'chw11');
    const since = (await feed(w, me, 'since=now')).last_seq;
    const answer = await w.request(me, 'GET', `_changes?feed=longpoll&heartbeat=100&timeout=1000&since=${encodeURIComponent(since)}`);
    assert.equal(answer.status, 200);
    assert.match(answer.text, /^\n+\{/);
    assert.deepEqual((JSON.parse(answer.text) as FeedResponse).results, []);
  });

  it('refuses a user\'s fifth concurrent longpoll with 429', async () => {
    const me = who(w, 'chw12');
    const since = (await feed(w, me, 'since=now')).last_seq;
    const controllers = Array.from({ length: 5 }, () => new AbortController());
    const waits = controllers.map((c) => w.request(me, 'GET', `_changes?feed=longpoll&timeout=15000&since=${encodeURIComponent(since)}`, { signal: c.signal }).catch(() => undefined));
    const first = await Promise.race(waits);
    assert.equal(first?.status, 429, first?.text);
    for (const c of controllers) c.abort();
    await Promise.all(waits);
  });
});

describe('change index: a change wakes exactly the waiters whose keys it meets', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  before(async () => { w = await attackWorld(); });
  after(async () => { await w.stop(); });

  it('wakes the waiter holding the changed document\'s key, the one under its facility, and not another', async () => {
    const couch = gatewayCouch(w.world.couch.url, w.world.couch.admin, new Map());
    const index = changeIndex({ couch, db: w.world.db, rules: chtAccessRules() });
    try {
      await index.ready();
      const docs = w.world.data.medic;
      const chw11 = w.world.user('chw11');
      const chw12 = w.world.user('chw12');
      const woken: string[] = [];
      let resolveA: () => void = () => undefined;
      const wokeA = new Promise<void>((resolve) => { resolveA = resolve; });
      const household = docs.find((d) => d.type === 'clinic' && (d['parent'] as { _id: string })._id === chw11.facilityId)!;
      index.wait(new Set([household._id]), () => { woken.push('holder'); resolveA(); });
      index.wait(new Set([chw11.facilityId]), () => woken.push('facility'));
      index.wait(new Set([chw12.facilityId, 'org.couchdb.user:nobody']), () => woken.push('other'));
      const stored = await w.world.admin.get(household._id);
      await w.world.admin.insert({ ...stored, name: 'Renamed household' });
      await wokeA;
      // The index tells every waiter about a change in one pass: by now the others were judged.
      assert.deepEqual(woken.sort(), ['facility', 'holder']);
    } finally {
      index.close();
    }
  });

  it('drops the contexts a change may alter, and keeps them for a new report or an edit of one no context reads', async () => {
    const couch = gatewayCouch(w.world.couch.url, w.world.couch.admin, new Map());
    const told: string[] = [];
    let telling = '';
    const index = changeIndex({ couch, db: w.world.db, rules: chtAccessRules(), onChange: () => told.push(telling) });
    try {
      await index.ready();
      const chw11 = w.world.user('chw11');
      const person = w.world.data.medic.find((d) => d.type === 'person' && w.visibleTo('chw11').has(d._id))!;
      const write = async (what: string, doc: Record<string, unknown> & { _id: string }): Promise<string> => {
        telling = what;
        const { rev } = await w.world.admin.insert(doc);
        await index.catchUp();
        return rev;
      };
      const report = { _id: 'context-report', type: 'data_record', form: 'home_visit', reported_date: 1, contact: { _id: chw11.contactId }, fields: { patient_id: person._id } };
      const first = await write('new report', report);
      const second = await write('report edited', { ...report, _rev: first, fields: { ...report.fields, visited: 'yes' } });
      const third = await write('report made private', { ...report, _rev: second, fields: { ...report.fields, private: true } });
      await write('private report made public', { ...report, _rev: third });
      const stored = await w.world.admin.get(person._id);
      await write('contact renamed', { ...stored, name: 'Renamed' });
      const primed = w.world.data.medic.find((d) => d.type === 'data_record' && w.visibleTo('chw11').has(d._id))!;
      await write('report seen only by priming edited', { ...(await w.world.admin.get(primed._id)), edited: true });
      telling = 'report deleted';
      const latest = await w.world.admin.get(report._id);
      await w.world.admin.destroy(report._id, latest._rev);
      await index.catchUp();
      assert.deepEqual(told, ['report made private', 'private report made public', 'contact renamed', 'report seen only by priming edited', 'report deleted']);
    } finally {
      index.close();
    }
  });
});
