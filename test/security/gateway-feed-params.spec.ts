import assert from 'node:assert/strict';
import { feed, listedIds, sorted, who } from '../sync/feed.js';
import { assertCarriesNone, assertRefused, attackWorld, serverState } from './gateway-attacker.js';
import type { AttackWorld } from './gateway-attacker.js';

describe('gateway _changes: no parameter widens what the user sees', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  before(async () => { w = await attackWorld(); });
  after(async () => { await w.stop(); });

  const refused: Array<[string, string]> = [
    ['feed=continuous', 'feed=continuous'],
    ['feed=eventsource', 'feed=eventsource'],
    ['a made-up feed', 'feed=sideways'],
    ['filter=_view', 'filter=_view&view=fieldsync-sync/replication_keys'],
    ['filter=_selector', 'filter=_selector'],
    ['filter=_design', 'filter=_design'],
    ['a design doc filter', 'filter=fieldsync-sync/anything'],
    ['descending=true', 'descending=true'],
    ['a style CouchDB does not have', 'style=everything'],
    ['filter=_doc_ids without doc_ids', 'filter=_doc_ids'],
    ['doc_ids that are not a JSON array', 'doc_ids=abc'],
    ['a limit that is not a number', 'limit=abc'],
    ['a timeout that is not a number', 'feed=longpoll&timeout=soon'],
    ['include_docs that is neither true nor false', 'include_docs=yes'],
  ];
  for (const [what, query] of refused) {
    it(`refuses ${what} with 400 bad_request`, async () => {
      const before = await serverState(w.world);
      assertRefused(await w.request(who(w, 'chw11'), 'GET', `_changes?since=0&${query}`), 400, 'bad_request');
      assert.deepEqual(await serverState(w.world), before);
    });
  }

  it('refuses a POST body carrying a selector', async () => {
    const answer = await w.json(who(w, 'chw11'), 'POST', '_changes?filter=_selector', { selector: { type: 'person' } });
    assertRefused(answer, 400, 'bad_request');
    assertRefused(await w.json(who(w, 'chw11'), 'POST', '_changes', { selector: { type: 'person' } }), 400, 'bad_request');
  });

  it('restricts doc_ids (GET and POST) to documents the user may see', async () => {
    const me = who(w, 'chw11');
    const mine = [...w.visibleTo('chw11')].slice(0, 3);
    const theirs = w.invisibleTo('chw11', 'data_record');
    const get = await feed(w, me, `since=0&filter=_doc_ids&doc_ids=${encodeURIComponent(JSON.stringify([...mine, theirs]))}`);
    assert.deepEqual(sorted(listedIds(get.results)), sorted(mine));
    const post = await w.json(me, 'POST', '_changes?since=0&filter=_doc_ids', { doc_ids: [theirs] });
    assert.equal(post.status, 200, post.text);
    assert.deepEqual((post.json as { results: unknown[] }).results, []);
    assertCarriesNone(post.text, [theirs], 'the answer');
  });

  it('with since=0, style=all_docs, include_docs, conflicts and attachments lists and carries only visible documents', async () => {
    const me = who(w, 'chw11');
    const answer = await w.request(me, 'GET', '_changes?since=0&style=all_docs&include_docs=true&conflicts=true&attachments=true&att_encoding_info=true&seq_interval=5');
    assert.equal(answer.status, 200, answer.text.slice(0, 300));
    const body = answer.json as { results: Array<{ id: string; doc?: { _id: string } }> };
    const visible = w.visibleTo('chw11');
    assert.deepEqual(sorted(body.results.map((e) => e.id)), sorted(visible));
    for (const entry of body.results) assert.equal(entry.doc?._id, entry.id);
    // Visible bodies name ancestors the user does not see (lineage): no hidden document's revision travels.
    const all = await w.world.admin.list();
    const hidden = all.rows.filter((row) => !visible.has(row.id)).map((row) => row.value.rev);
    assert.ok(hidden.length > 0);
    assertCarriesNone(answer.text, hidden, 'the answer');
  });

  it('refuses a cursor that was forged, given to another user, or a raw CouchDB sequence, with 400', async () => {
    const me = who(w, 'chw11');
    const mine = (await feed(w, me, 'since=now')).last_seq;
    const theirs = (await feed(w, who(w, 'chw12'), 'since=now')).last_seq;
    const [prefix, payload, mac] = mine.split('.');
    const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), a: '0'.repeat(32) })).toString('base64url');
    const info = (await w.json(me, 'GET', '')).json as { update_seq: unknown };
    for (const since of [theirs, `${prefix}.${widened}.${mac}`, `${prefix}.${payload}.${'A'.repeat(mac!.length)}`, String(info.update_seq), '1', 'fs1.x.y', `${mine}x`]) {
      const answer = await w.request(me, 'GET', `_changes?since=${encodeURIComponent(since)}`);
      assertRefused(answer, 400, 'bad_request');
    }
    // The user's own cursor still works.
    assert.deepEqual((await feed(w, me, `since=${encodeURIComponent(mine)}`)).results, []);
  });

  it('never lets a user read the feed\'s signing key or access records through _local', async () => {
    const me = who(w, 'chw11');
    await feed(w, me, 'since=now');
    const direct = await w.world.admin.get('_local/fieldsync-feed-key');
    assert.equal(typeof (direct as { key?: unknown }).key, 'string');
    const answer = await w.request(me, 'GET', '_local/fieldsync-feed-key');
    assert.equal(answer.status, 404, answer.text);
    assertCarriesNone(answer.text, [String((direct as { key?: unknown }).key)], 'the answer');
  });
});
