import assert from 'node:assert/strict';
import { movePerson, reportBy, serverDocs, visibleDoc, visibleNow } from '../sync/stock.js';
import { assertCarriesNone, assertRefused, attackWorld, serverState } from './gateway-attacker.js';
import type { Answer, AttackWorld, Who } from './gateway-attacker.js';

// Far longer than the gateway's bound below: an answer that has not come by then never would.
const HANG = 10_000;

interface Entry { seq?: unknown; id?: unknown; changes?: Array<{ rev?: unknown }>; deleted?: unknown; removed?: unknown; doc?: Record<string, unknown> }

/** One way to ask `_changes` for more than the user's feed. */
interface Probe {
  readonly name: string;
  readonly method?: 'GET' | 'POST';
  readonly query: string;
  readonly body?: unknown;
  /** The feed's design refuses it (400): a refusal is then the only right answer. */
  readonly refused?: boolean;
}

describe('gateway _changes: no query parameter shows a user more than their own feed', function () {
  this.timeout(120_000);
  let w: AttackWorld;
  let me: Who;
  /** Ids the attacker saw before the admin's writes below, and sees after them. */
  let held: Set<string>;
  let now: Set<string>;
  let revs: Map<string, string>;
  let secrets: string[];
  let probes: Probe[];

  before(async () => {
    w = await attackWorld({ maxWaitMs: 300 });
    const chw = w.world.user('chw11');
    const other = w.world.user('chw12');
    me = { name: chw.name, password: chw.password };
    const them: Who = { name: other.name, password: other.password };
    held = await visibleNow(w.world, chw);
    const theirs = [...(await visibleNow(w.world, other))].filter((id) => !held.has(id));

    const moved = await movePerson(w.world, chw, other, 'moved-secret-5d1e');
    const attachmentSecret = Buffer.from('attachment-secret-77aa').toString('base64');
    await w.world.admin.insert({ ...reportBy(other, 'leak-hidden-1', { notes: 'hidden-secret-c0de' }), _attachments: { 'n.txt': { content_type: 'text/plain', data: attachmentSecret } } });
    const gone = await visibleDoc(w.world, other, 'data_record');
    const { rev: goneRev } = await w.world.admin.destroy(gone._id, (await w.world.admin.get(gone._id))._rev);
    now = await visibleNow(w.world, chw);
    revs = new Map((await serverDocs(w.world)).map((doc) => [doc._id, String(doc['_rev'])]));
    secrets = [moved.newRev, 'moved-secret-5d1e', 'leak-hidden-1', 'hidden-secret-c0de', attachmentSecret, gone._id, goneRev, ...theirs];

    // Cursors: theirs, mine with a rewritten payload, and CouchDB's own sequence.
    const theirFeed = (await w.request(them, 'GET', '_changes?since=0&limit=1')).json as { last_seq: string; results: Entry[] };
    assert.equal(typeof theirFeed.last_seq, 'string', 'the other user has a feed');
    const myFeed = (await w.request(me, 'GET', '_changes?since=0&limit=1')).json as { last_seq: string };
    const [prefix, payload, mac] = myFeed.last_seq.split('.');
    const rewritten = { ...(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>), s: '0' };
    const forged = `${prefix}.${Buffer.from(JSON.stringify(rewritten)).toString('base64url')}.${mac}`;
    const rawSeq = String((await w.world.admin.info()).update_seq);
    const hidden = JSON.stringify(['leak-hidden-1', gone._id, moved.id, ...theirs.slice(0, 5)]);
    const mine = [...now].filter((id) => !id.startsWith('form:')).slice(0, 2);
    const e = encodeURIComponent;
    probes = [
      { name: 'since=0', query: 'since=0' },
      { name: 'no since', query: '' },
      { name: 'since=now', query: 'since=now' },
      { name: 'filter=_view', query: `since=0&filter=_view&view=${e('fieldsync-sync/replication_keys')}`, refused: true },
      { name: 'filter=_selector (POST)', method: 'POST', query: 'since=0&filter=_selector', body: { selector: { type: 'data_record' } }, refused: true },
      { name: 'filter=_design', query: 'since=0&filter=_design', refused: true },
      { name: 'a design filter', query: `since=0&filter=${e('fieldsync-sync/all')}`, refused: true },
      { name: 'a selector without filter (POST)', method: 'POST', query: 'since=0', body: { selector: { _id: { $gt: null } } } },
      { name: 'doc_ids of another user\'s docs (GET)', query: `since=0&filter=_doc_ids&doc_ids=${e(hidden)}` },
      { name: 'doc_ids of another user\'s docs (POST)', method: 'POST', query: 'since=0&filter=_doc_ids', body: { doc_ids: JSON.parse(hidden) as unknown } },
      { name: 'doc_ids mixing mine and theirs (POST)', method: 'POST', query: 'since=0&filter=_doc_ids', body: { doc_ids: [...mine, ...(JSON.parse(hidden) as string[])] } },
      { name: 'doc_ids without filter', query: `since=0&doc_ids=${e(hidden)}` },
      { name: 'doc_ids that are not ids', query: `since=0&filter=_doc_ids&doc_ids=${e('[{"$gt":""}]')}` },
      { name: 'since=<raw CouchDB seq>', query: `since=${e(rawSeq)}`, refused: true },
      { name: 'since=<another user\'s cursor>', query: `since=${e(theirFeed.last_seq)}`, refused: true },
      { name: 'since=<another user\'s entry seq>', query: `since=${e(String(theirFeed.results[0]?.seq))}`, refused: true },
      { name: 'since=<my cursor, payload rewritten>', query: `since=${e(forged)}`, refused: true },
      { name: 'style=all_docs', query: 'since=0&style=all_docs' },
      { name: 'include_docs', query: 'since=0&include_docs=true' },
      { name: 'include_docs with conflicts', query: 'since=0&include_docs=true&conflicts=true&style=all_docs' },
      { name: 'include_docs with attachments', query: 'since=0&include_docs=true&attachments=true&att_encoding_info=true' },
      { name: 'attachments without include_docs', query: 'since=0&attachments=true' },
      { name: 'descending', query: 'since=0&descending=true', refused: true },
      { name: 'feed=continuous', query: 'since=0&feed=continuous&timeout=100', refused: true },
      { name: 'feed=eventsource', query: 'since=0&feed=eventsource&timeout=100', refused: true },
      { name: 'feed=longpoll from now', query: 'since=now&feed=longpoll&timeout=100' },
      { name: 'feed=longpoll with heartbeat', query: 'since=now&feed=longpoll&heartbeat=50&timeout=200' },
      { name: 'limit=1 and seq_interval', query: 'since=0&limit=1&seq_interval=5' },
      { name: 'limit=0', query: 'since=0&limit=0' },
      { name: 'a negative limit', query: 'since=0&limit=-1' },
      { name: 'removals=true', query: 'since=0&removals=true&include_docs=true' },
      { name: 'active_only, revs_info, keys and views', query: `since=0&active_only=false&revs_info=true&keys=${e(hidden)}&view=x&startkey=%22%22` },
      { name: 'a flag that is not true or false', query: 'since=0&include_docs=yes' },
    ];
  });
  after(async () => { await w.stop(); });

  /** Asserts every entry is of a doc the attacker may see (or held, for a deletion or removal), any body the server's. */
  function assertOnlyVisible(answer: Answer, what: string): void {
    assert.equal(answer.status, 200, `${what}: ${answer.text.slice(0, 300)}`);
    const body = answer.json as { results?: Entry[]; last_seq?: unknown };
    assert.ok(Array.isArray(body.results), `${what}: a CouchDB changes answer`);
    for (const entry of body.results) {
      const id = String(entry.id);
      if (entry.deleted === true || entry.removed === true) assert.ok(held.has(id) || now.has(id), `${what}: told about ${id}, never visible`);
      else assert.ok(now.has(id), `${what}: lists ${id}, not visible`);
      if (entry.removed === true) assert.deepEqual(entry.changes, [], `${what}: a removal names no revision`);
      if (entry.doc && entry.doc['_deleted'] !== true) {
        assert.equal(entry.doc['_id'], id);
        assert.equal(entry.doc['_rev'], revs.get(id), `${what}: the body of ${id} is its visible revision`);
      }
    }
  }

  it('answers every probe with a refusal or only the user\'s docs, and changes nothing on the server', async () => {
    const locals = ['_local/fieldsync-feed-key'];
    for (const probe of probes) {
      const state = await serverState(w.world, locals);
      const answer = await w.request(me, probe.method ?? 'GET', `_changes${probe.query ? `?${probe.query}` : ''}`, {
        ...(probe.body !== undefined ? { body: JSON.stringify(probe.body), contentType: 'application/json' } : {}), signal: AbortSignal.timeout(HANG),
      });
      if (probe.refused) assertRefused(answer, 400, 'bad_request');
      else if (answer.status >= 400 && answer.status < 500) assertRefused(answer, answer.status);
      else assertOnlyVisible(answer, probe.name);
      assertCarriesNone(answer.text, secrets, probe.name);
      assert.deepEqual(await serverState(w.world, locals), state, `${probe.name} changed the server`);
    }
  });

  it('lists from since=0, page by page, exactly the docs the rules give the user', async () => {
    const listed = new Set<string>();
    let since = '0';
    for (let page = 0; page < 200; page += 1) {
      const answer = await w.request(me, 'GET', `_changes?since=${encodeURIComponent(since)}&limit=13&style=all_docs`);
      assertOnlyVisible(answer, `page ${page}`);
      const body = answer.json as { results: Entry[]; last_seq: string };
      for (const entry of body.results) if (entry.deleted !== true) listed.add(String(entry.id));
      if (body.results.length === 0) break;
      since = String(body.results.at(-1)?.seq);
    }
    assert.deepEqual([...listed].sort(), [...now].sort());
  });

  it('narrows to the visible ones of the doc_ids asked, never widens', async () => {
    const mine = [...now].filter((id) => !id.startsWith('form:')).slice(0, 2);
    const answer = await w.json(me, 'POST', '_changes?since=0&filter=_doc_ids', { doc_ids: [...mine, 'leak-hidden-1', ...secrets.slice(-3)] });
    assertOnlyVisible(answer, 'doc_ids');
    assert.deepEqual((answer.json as { results: Entry[] }).results.map((r) => r.id).sort(), [...mine].sort());
  });
});
