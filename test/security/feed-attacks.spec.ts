import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import Nano from 'nano';
import { chtReplicationKeys } from '../../lib/cht/keys.js';
import { FEED_KEY_ID } from '../../lib/sync/gateway/access-keys.js';
import { signCursor } from '../../lib/sync/gateway/cursor.js';
import { MIN_HEARTBEAT_MS } from '../../lib/sync/gateway/feed-params.js';
import type { FeedResponse, IdsResponse } from '../../lib/sync/protocol.js';
import { feed, who } from '../sync/feed.js';
import { moveUser } from '../sync/safety.js';
import { assertRefused, attackWorld, serverState } from './gateway-attacker.js';
import type { AttackWorld, Who } from './gateway-attacker.js';

// Far longer than any bound the gateways below set: an answer that has not come by then never would.
const HANG = 8_000;

/** The payload of a cursor (base64url JSON between the dots), for building tampered ones. */
function payloadOf(cursor: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(cursor.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

/** The feed's own signing key of the world's database, read as the admin. */
async function signingKey(w: AttackWorld): Promise<string> {
  return ((await w.world.admin.get(FEED_KEY_ID)) as unknown as { key: string }).key;
}

/** Every entry from `since`, paged by `limit` (resuming from each page's last entry, as PouchDB does), with each page's pending. */
async function walkPages(w: AttackWorld, user: Who, since: string, query: string, limit: number): Promise<Array<{ entries: FeedResponse['results']; pending: number }>> {
  const pages: Array<{ entries: FeedResponse['results']; pending: number }> = [];
  let cursor = since;
  for (let page = 0; page < 1_000; page++) {
    const answer = await feed(w, user, `since=${encodeURIComponent(cursor)}&limit=${limit}${query ? `&${query}` : ''}`);
    pages.push({ entries: answer.results, pending: answer.pending });
    if (answer.results.length === 0) return pages;
    cursor = answer.results.at(-1)!.seq;
  }
  throw new Error('the feed never ended');
}

/** A patient of `name`'s area (not their own contact). */
function patientOf(w: AttackWorld, name: string): string {
  const mine = w.visibleTo(name);
  const found = w.world.data.medic.find((doc) => doc.type === 'person' && mine.has(doc._id) && doc._id !== w.world.user(name).contactId && doc['parent']);
  assert.ok(found, `${name} sees a patient`);
  return found._id;
}

/** Adds a CouchDB user with no user-settings doc (so no place): what a fresh or misconfigured account is. */
async function placelessUser(w: AttackWorld): Promise<{ name: string; password: string }> {
  const name = `nowhere${w.world.db.replace(/[^a-z0-9]/g, '')}`;
  const password = 'nowhere-pass';
  const users = Nano(w.world.couch.adminUrl).use<Record<string, unknown>>('_users');
  await users.insert({ _id: `org.couchdb.user:${name}`, type: 'user', name, password, roles: ['chw'] });
  return { name, password };
}

/** The ids named anywhere in a feed answer's entries and docs. */
function namedIds(answer: FeedResponse): string[] {
  return answer.results.flatMap((e) => [e.id, ...(e.doc && typeof e.doc['_id'] === 'string' ? [e.doc['_id']] : [])]);
}

describe('gateway _changes and digest: refused requests', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  let me: Who;
  before(async () => {
    w = await attackWorld({ maxWaitMs: 300 });
    me = who(w, 'chw11');
  });
  after(async () => { await w.stop(); });

  for (const [method, path] of [['GET', '_changes'], ['GET', '_changes?since=now&feed=longpoll'], ['POST', '_changes?filter=_doc_ids'], ['GET', '_fieldsync/digest']] as const) {
    it(`never answers ${method} ${path} anonymously or with a wrong password`, async () => {
      const before = await serverState(w.world);
      for (const user of [undefined, { name: me!.name, password: 'wrong' }]) {
        const answer = method === 'POST'
          ? await w.request(user, 'POST', path, { body: JSON.stringify({ doc_ids: [patientOf(w, 'chw11')] }), contentType: 'application/json' })
          : await w.request(user, method, path);
        assertRefused(answer, 401, 'unauthorized');
        assert.ok(!answer.text.includes(patientOf(w, 'chw11')));
      }
      assert.deepEqual(await serverState(w.world), before);
    });
  }

  const forged: Array<[string, (cursor: string, key: string) => string]> = [
    ['a raw database sequence', () => '1'],
    ['a random fs1 cursor', () => `fs1.${Buffer.from('{"s":"1","a":"x"}').toString('base64url')}.${'A'.repeat(43)}`],
    ['a cursor whose payload was changed (s)', (c) => {
      const [p, , sig] = c.split('.');
      return `${p}.${Buffer.from(JSON.stringify({ ...payloadOf(c), s: '0' })).toString('base64url')}.${sig}`;
    }],
    ['a cursor whose access digest was changed (a)', (c) => {
      const [p, , sig] = c.split('.');
      return `${p}.${Buffer.from(JSON.stringify({ ...payloadOf(c), a: '0'.repeat(32) })).toString('base64url')}.${sig}`;
    }],
    ['a truncated cursor', (c) => c.slice(0, -1)],
    ['a cursor cut before its signature', (c) => c.split('.').slice(0, 2).join('.')],
    ['a cursor with an empty signature', (c) => `${c.split('.').slice(0, 2).join('.')}.`],
    ['a cursor with an extra part', (c) => `${c}.x`],
    ['a cursor of another version', (c) => `fs2${c.slice(3)}`],
    ['a huge cursor', (c) => `${c}${'A'.repeat(12_000)}`],
    ['a cursor of 12,000 dots', () => '.'.repeat(12_000)],
    ['a cursor whose payload is not JSON, validly signed', (_c, key) => {
      // The key is the server's secret: only the admin has it; this checks the parser behind the signature.
      const text = 'not json';
      const mac = createHmac('sha256', key).update(`${w.world.db}\u0000${me!.name}\u0000${text}`).digest('base64url');
      return `fs1.${Buffer.from(text).toString('base64url')}.${mac}`;
    }],
    ['a cursor signed for another database', (c, key) => signCursor(key, `${w.world.db}-other`, me!.name, payloadOf(c) as { s: string; a: string })],
    ['a cursor signed for another user', (c, key) => signCursor(key, w.world.db, who(w, 'chw12').name, payloadOf(c) as { s: string; a: string })],
  ];
  for (const [what, make] of forged) {
    it(`never accepts ${what} as since`, async () => {
      const given = (await feed(w, me, 'since=now')).last_seq;
      const cursor = make(given, await signingKey(w));
      const before = await serverState(w.world, [FEED_KEY_ID]);
      for (const extra of ['', '&feed=longpoll&timeout=100', '&include_docs=true&removals=true']) {
        const answer = await w.request(me, 'GET', `_changes?since=${encodeURIComponent(cursor)}${extra}`, { signal: AbortSignal.timeout(HANG) });
        assertRefused(answer, 400, 'bad_request');
      }
      assert.deepEqual(await serverState(w.world, [FEED_KEY_ID]), before);
    });
  }

  it('never accepts a cursor another user was given', async () => {
    const theirs = await feed(w, who(w, 'chw12'), 'since=0&limit=3');
    for (const cursor of [theirs.last_seq, ...theirs.results.map((e) => e.seq)]) {
      assertRefused(await w.request(me, 'GET', `_changes?since=${encodeURIComponent(cursor)}`), 400, 'bad_request');
    }
    // And theirs still works for them.
    assert.equal((await w.request(who(w, 'chw12'), 'GET', `_changes?since=${encodeURIComponent(theirs.last_seq)}`)).status, 200);
  });

  const widening = [
    'filter=_view&view=medic/contacts', 'filter=_selector', 'filter=_design', 'filter=medic/anything', 'filter=',
    'descending=true', 'feed=continuous', 'feed=eventsource', 'feed=bogus', 'style=everything',
    'limit=-1', 'limit=abc', 'limit=1.5', 'limit=1e3', 'limit=', 'heartbeat=-1', 'heartbeat=abc', 'timeout=-5', 'timeout=1.5',
    'include_docs=yes', 'conflicts=1', 'attachments=maybe', 'removals=1', 'doc_ids=notjson', 'doc_ids={"a":1}', 'doc_ids=[1,2]',
    'filter=_doc_ids',
  ];
  for (const query of widening) {
    it(`never serves ${query} (400, nothing read for the user)`, async () => {
      const answer = await w.request(me, 'GET', `_changes?since=0&${query}`, { signal: AbortSignal.timeout(HANG) });
      assertRefused(answer, 400, 'bad_request');
    });
  }

  for (const [what, body] of [
    ['a body carrying a selector', { doc_ids: [], selector: { type: 'person' } }],
    ['a body carrying a filter', { doc_ids: [], filter: '_view' }],
    ['a body that is an array', [{ doc_ids: [] }]],
    ['doc_ids that are objects', { doc_ids: [{ $gt: null }] }],
  ] as const) {
    it(`never serves POST _changes with ${what}`, async () => {
      const answer = await w.json(me, 'POST', '_changes?filter=_doc_ids', body);
      assertRefused(answer, 400, 'bad_request');
    });
  }

  it('never answers POST _changes sent as something other than JSON', async () => {
    const answer = await w.request(me, 'POST', '_changes?filter=_doc_ids', { body: 'doc_ids=a', contentType: 'application/x-www-form-urlencoded' });
    assertRefused(answer, 415);
  });
});

describe('gateway _changes and digest: what an answer carries', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  let me: Who;
  before(async () => {
    w = await attackWorld({ maxWaitMs: 300 });
    me = who(w, 'chw11');
  });
  after(async () => { await w.stop(); });

  const others = (): string[] => [w.invisibleTo('chw11', 'person'), w.invisibleTo('chw11', 'data_record'), w.invisibleTo('chw11', 'clinic')];

  for (const [what, request] of [
    ['GET doc_ids without a filter', (ids: string[]) => w.request(me, 'GET', `_changes?since=0&doc_ids=${encodeURIComponent(JSON.stringify(ids))}`)],
    ['GET doc_ids with filter=_doc_ids', (ids: string[]) => w.request(me, 'GET', `_changes?since=0&filter=_doc_ids&doc_ids=${encodeURIComponent(JSON.stringify(ids))}`)],
    ['POST doc_ids with filter=_doc_ids', (ids: string[]) => w.json(me, 'POST', '_changes?since=0&filter=_doc_ids&include_docs=true&style=all_docs', { doc_ids: ids })],
    ['POST doc_ids without a filter', (ids: string[]) => w.json(me, 'POST', '_changes?since=0&include_docs=true', { doc_ids: ids })],
  ] as const) {
    it(`never lists another area's documents named in ${what}`, async () => {
      const mine = patientOf(w, 'chw11');
      const answer = await request([...others(), mine, '_local/fieldsync-feed-key', '_design/fieldsync-sync']);
      assert.equal(answer.status, 200, answer.text);
      const body = answer.json as FeedResponse;
      assert.deepEqual(namedIds(body).filter((id) => id !== mine), []);
      assert.ok(body.results.some((e) => e.id === mine), 'the visible one named is listed');
      for (const id of others()) assert.ok(!answer.text.includes(id), `carries ${id}`);
      assert.equal(body.pending, 0);
    });
  }

  it('never gives a document, conflict or attachment of another area with include_docs, conflicts, attachments, style=all_docs', async () => {
    const answer = await feed(w, me, 'since=0&include_docs=true&conflicts=true&attachments=true&att_encoding_info=true&style=all_docs&removals=true');
    const visible = w.visibleTo('chw11');
    for (const id of namedIds(answer)) assert.ok(visible.has(id), `lists ${id}`);
    for (const entry of answer.results) {
      assert.ok(entry.doc, `${entry.id} has its doc`);
      assert.equal(entry.doc['_id'], entry.id);
    }
    assert.equal(answer.results.length, visible.size);
  });

  it('never lists a change, deletion or conflict of a document the user may not see', async () => {
    const start = await feed(w, me, 'since=now');
    const secret = w.invisibleTo('chw11', 'person');
    const stored = await w.world.admin.get(secret);
    const edited = await w.world.admin.insert({ ...stored, name: 'edited elsewhere' });
    await w.world.admin.bulk({ docs: [{ ...stored, _rev: '1-ffffffffffffffffffffffffffffffff', name: 'a conflict' }], new_edits: false });
    const report = w.invisibleTo('chw11', 'data_record');
    const gone = await w.world.admin.get(report);
    await w.world.admin.destroy(report, String(gone._rev));
    const fresh = await w.world.admin.insert({ _id: 'secret-new', type: 'data_record', form: 'x', fields: { patient_uuid: secret } });
    await w.world.admin.destroy('secret-new', fresh.rev);
    const answer = await w.request(me, 'GET', `_changes?since=${encodeURIComponent(start.last_seq)}&style=all_docs&include_docs=true&removals=true&conflicts=true`);
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual((answer.json as FeedResponse).results, []);
    assert.equal((answer.json as FeedResponse).pending, 0);
    assertCarries(answer.text, [secret, report, 'secret-new', edited.rev, String(gone._rev)], false);
  });

  it('never counts in pending the changes of documents the user may not see', async () => {
    const start = await feed(w, me, 'since=now');
    const secret = w.invisibleTo('chw11', 'person');
    for (let i = 0; i < 5; i++) {
      const stored = await w.world.admin.get(secret);
      await w.world.admin.insert({ ...stored, name: `elsewhere ${i}` });
      await w.world.admin.insert({ _id: `invisible-${i}`, type: 'data_record', form: 'x', fields: { patient_uuid: secret } });
    }
    const mine = patientOf(w, 'chw11');
    for (let i = 0; i < 2; i++) {
      const stored = await w.world.admin.get(mine);
      await w.world.admin.insert({ ...stored, name: `here ${i}` });
      await w.world.admin.insert({ _id: `visible-${i}`, type: 'data_record', form: 'x', fields: { patient_uuid: mine } });
    }
    const first = await feed(w, me, `since=${encodeURIComponent(start.last_seq)}&limit=1`);
    assert.equal(first.results.length, 1);
    assert.equal(first.pending, 2, 'two more visible documents changed, whatever else did');
  });

  it('never lets since=0 of a user with no place list more than the public documents and their own', async () => {
    const nobody = await placelessUser(w);
    const answer = await feed(w, nobody, 'since=0&include_docs=true&style=all_docs&conflicts=true');
    const publicIds = w.world.data.medic.filter((doc) => chtReplicationKeys(doc).includes('_all')).map((d) => d._id);
    for (const id of namedIds(answer)) assert.ok(publicIds.includes(id), `a user with no place is listed ${id}`);
    assert.equal(answer.pending, 0);
    const ids = (await w.json(nobody, 'GET', '_fieldsync/ids')).json as IdsResponse;
    assert.deepEqual(answer.results.map((e) => e.id).sort(), ids.rows.map((r) => r.id).sort());
    // Their digest is that of the same set.
    const digest = (await w.json(nobody, 'GET', '_fieldsync/digest')).json as { digest: string; count: number };
    assert.equal(digest.count, ids.rows.length);
    // Nor does a removal feed: nothing was ever theirs.
    const removals = await feed(w, nobody, `since=${encodeURIComponent(answer.last_seq)}&removals=true`);
    assert.deepEqual(removals.results, []);
  });

  it('never reveals in the digest anything of documents the user may not see', async () => {
    const ask = async (): Promise<{ digest: string; count: number }> => {
      const answer = await w.json(me, 'GET', '_fieldsync/digest');
      assert.equal(answer.status, 200, answer.text);
      return answer.json as { digest: string; count: number };
    };
    const before = await ask();
    const ids = (await w.json(me, 'GET', '_fieldsync/ids')).json as IdsResponse;
    const expected = createHash('sha256').update(ids.rows.map((r) => `${r.id} ${r.rev}\n`).join('')).digest('hex');
    assert.deepEqual(before, { digest: expected, count: ids.rows.length });
    assert.deepEqual(Object.keys(before).sort(), ['count', 'digest']);
    // Changes, conflicts, deletions and new documents elsewhere leave it as it is.
    const secret = w.invisibleTo('chw11', 'person');
    const stored = await w.world.admin.get(secret);
    await w.world.admin.insert({ ...stored, name: 'again elsewhere' });
    await w.world.admin.insert({ _id: `elsewhere-${Date.now()}`, type: 'data_record', form: 'x', fields: { patient_uuid: secret } });
    assert.deepEqual(await ask(), before);
    // The digest takes no parameter that could widen it.
    for (const query of ['?keys=["x"]', '?include_docs=true', '?user=supervisor1']) {
      const other = await w.json(me, 'GET', `_fieldsync/digest${query}`);
      if (other.status === 200) assert.deepEqual(other.json, before);
      else assertRefused(other, 400);
    }
    assertRefused(await w.json(me, 'POST', '_fieldsync/digest', {}), 404);
  });
});

/** Asserts `text` carries none (or all, when `present`) of `values`. */
function assertCarries(text: string, values: readonly string[], present: boolean): void {
  for (const value of values) assert.equal(text.includes(value), present, `${present ? 'lacks' : 'carries'} ${value}`);
}

describe('gateway _changes: reserved ids and crafted documents', function () {
  this.timeout(90_000);
  let w: AttackWorld;
  let me: Who;
  before(async () => {
    w = await attackWorld({ maxWaitMs: 300 });
    me = who(w, 'chw11');
  });
  after(async () => { await w.stop(); });

  it('never lets a user read, plant or replace the signing key or the stored access keys', async () => {
    const cursor = (await feed(w, me, 'since=now')).last_seq;
    const digest = String(payloadOf(cursor)['a']);
    const reserved = [FEED_KEY_ID, `_local/fieldsync-access-${digest}`, `_local/fieldsync-access-${'0'.repeat(32)}`];
    const before = await serverState(w.world, reserved);
    for (const id of reserved) {
      const read = await w.request(me, 'GET', id);
      assert.ok(!read.text.includes(await signingKey(w)), `GET ${id} shows the key`);
      assertRefused(read, 404);
      await w.json(me, 'PUT', id, { key: 'A'.repeat(44), keys: ['_all', w.invisibleTo('chw11', 'clinic')] });
      await w.json(me, 'DELETE', `${id}?rev=0-1`);
      const bulk = await w.json(me, 'POST', '_bulk_docs', { docs: [{ _id: id, key: 'A'.repeat(44), keys: ['_all'] }] });
      assert.ok(JSON.stringify(bulk.json).includes('forbidden'), bulk.text);
      await w.json(me, 'POST', '_bulk_docs', { docs: [{ _id: id, _rev: '1-a', key: 'x' }], new_edits: false });
      const got = await w.json(me, 'POST', '_bulk_get', { docs: [{ id }, { id, rev: '0-1' }] });
      assert.ok(!got.text.includes(await signingKey(w)), `_bulk_get of ${id} shows the key`);
      assert.ok(!got.text.includes('"keys"'), got.text);
      const changes = await w.request(me, 'GET', `_changes?since=0&doc_ids=${encodeURIComponent(JSON.stringify([id]))}`);
      assert.deepEqual((changes.json as FeedResponse).results, []);
    }
    // Their own checkpoints of the same names are theirs only: the feed's are as they were.
    const after = await serverState(w.world, reserved);
    assert.deepEqual((after as { locals: unknown }).locals, (before as { locals: unknown }).locals);
    assert.equal((await w.request(me, 'GET', `_changes?since=${encodeURIComponent(cursor)}`)).status, 200, 'the cursor still verifies');
  });

  it('never stalls the feed of other users with crafted or huge documents', async () => {
    const deep = (levels: number): unknown => {
      let node: Record<string, unknown> = { _id: 'bottom' };
      for (let i = 0; i < levels; i++) node = { _id: `level-${i}`, parent: node };
      return node;
    };
    const mine = patientOf(w, 'chw11');
    const self = w.world.user('chw11').contactId;
    const crafted: Array<Record<string, unknown>> = [
      { _id: 'crafted-deep', type: 'data_record', form: 'x', contact: deep(95), fields: { patient_uuid: mine, needs_signoff: true } },
      { _id: 'crafted-types', type: 'data_record', form: 'x', contact: { _id: self }, fields: { patient_uuid: mine, private: 'true', needs_signoff: 'true' }, errors: 'x' },
      { _id: 'crafted-fields', type: 'data_record', form: { a: 1 }, contact: [self], fields: [mine], patient_id: { _id: mine } },
      { _id: 'crafted-person', type: 'person', parent: 'not an object', patient_id: ['x'] },
      { _id: 'crafted-cycle', type: 'clinic', parent: { _id: 'crafted-cycle', parent: { _id: 'crafted-cycle' } } },
      { _id: 'crafted-proto', type: 'data_record', form: 'x', contact: { _id: self }, fields: { patient_uuid: '__proto__' } },
      { _id: `crafted-${'x'.repeat(4_000)}`, type: 'data_record', form: 'x', contact: { _id: self }, fields: { patient_uuid: mine } },
      { _id: 'crafted-huge', type: 'data_record', form: 'x', contact: { _id: self }, fields: { patient_uuid: mine, blob: 'y'.repeat(4 * 1024 * 1024) } },
    ];
    const pushed = await w.json(me, 'POST', '_bulk_docs', { docs: crafted });
    assert.ok(pushed.status < 500, pushed.text.slice(0, 300));
    // The same written straight to CouchDB (an integration, a script): the index reads it all the same.
    await w.world.admin.bulk({ docs: crafted.map((doc) => ({ ...doc, _id: `admin-${String(doc._id).slice(0, 100)}` })) as never });
    // Every other user's feed still answers, and a change they may see still reaches them.
    for (const name of ['chw12', 'supervisor1']) {
      const start = await feed(w, who(w, name), 'since=now');
      const theirs = patientOf(w, name);
      const stored = await w.world.admin.get(theirs);
      await w.world.admin.insert({ ...stored, name: `after the crafted ones (${name})` });
      const answer = await w.request(who(w, name), 'GET', `_changes?since=${encodeURIComponent(start.last_seq)}&feed=longpoll&timeout=5000`, { signal: AbortSignal.timeout(HANG) });
      assert.equal(answer.status, 200, answer.text.slice(0, 300));
      assert.ok((answer.json as FeedResponse).results.some((e) => e.id === theirs), `${name} is told of ${theirs}`);
    }
    assert.equal((await w.request(me, 'GET', '_changes?since=0&include_docs=true')).status, 200);
  });
});

describe('gateway _changes: a user cannot hold more than a few feed waits open', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  before(async () => { w = await attackWorld({ maxWaitMs: 20_000 }); });
  after(async () => { await w.stop(); });

  it('never holds a fifth concurrent longpoll of one user (429), shared with _fieldsync/changes', async () => {
    const me = who(w, 'chw11');
    const since = (await feed(w, me, 'since=now')).last_seq;
    const controllers = Array.from({ length: 5 }, () => new AbortController());
    const waits = controllers.map((c, i) => (i === 0
      ? w.request(me, 'GET', '_fieldsync/changes?since=now&timeout=20000', { signal: c.signal })
      : w.request(me, 'GET', `_changes?since=${encodeURIComponent(since)}&feed=longpoll&timeout=20000&heartbeat=10000`, { signal: c.signal })).catch(() => undefined));
    const first = await Promise.race(waits);
    assert.ok(first);
    assertRefused(first, 429, 'too_many_requests');
    const theirs = await w.request(who(w, 'chw12'), 'GET', '_changes?since=now&feed=longpoll&timeout=10');
    assert.equal(theirs.status, 200);
    for (const c of controllers) c.abort();
    await Promise.all(waits);
  });
});

describe('gateway _changes: waits are bounded whatever heartbeat and timeout say', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  before(async () => { w = await attackWorld({ maxWaitMs: 400 }); });
  after(async () => { await w.stop(); });

  for (const query of ['heartbeat=1&timeout=999999999999', 'heartbeat=0', 'heartbeat=true&timeout=999999999999', 'timeout=999999999999']) {
    it(`never waits past maxWaitMs nor floods heartbeats with ${query}`, async () => {
      const me = who(w, 'chw11');
      const since = (await feed(w, me, 'since=now')).last_seq;
      const started = Date.now();
      const answer = await w.request(me, 'GET', `_changes?since=${encodeURIComponent(since)}&feed=longpoll&${query}`, { signal: AbortSignal.timeout(HANG) });
      const took = Date.now() - started;
      assert.equal(answer.status, 200, answer.text.slice(0, 300));
      assert.ok(took < 4_000, `answered after ${took} ms`);
      // At most one newline per MIN_HEARTBEAT_MS of the wait, however small the heartbeat asked.
      const beats = answer.text.length - answer.text.trimStart().length;
      assert.ok(beats <= took / MIN_HEARTBEAT_MS + 1, `${beats} heartbeats in ${took} ms`);
      const body = JSON.parse(answer.text) as FeedResponse;
      assert.deepEqual(body.results, []);
    });
  }

  it('never answers limit=0 or a huge limit with more than the feed holds', async () => {
    const me = who(w, 'chw11');
    const zero = await feed(w, me, 'since=0&limit=0');
    assert.ok(zero.results.length <= 1);
    const huge = await feed(w, me, 'since=0&limit=999999999999');
    assert.equal(huge.results.length, w.visibleTo('chw11').size);
  });
});

describe('gateway _changes: a cursor kept across a revoke', function () {
  this.timeout(90_000);
  let w: AttackWorld;
  beforeEach(async () => { w = await attackWorld({ maxWaitMs: 300 }); });
  afterEach(async () => { await w.stop(); });

  /** Revokes chw11's area and files `count` new reports there afterwards; their ids. */
  const revokeThenFile = async (count: number): Promise<string[]> => {
    await moveUser(w.world, w.world.user('chw11').name, 'no-such-place');
    const patient = patientOf(w, 'chw11');
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = `zz-after-revoke-${i}`;
      await w.world.admin.insert({ _id: id, type: 'data_record', form: 'home_visit', fields: { patient_uuid: patient }, contact: { _id: w.world.user('chw12').contactId } });
      ids.push(id);
    }
    return ids;
  };

  it('never names in a removal, paging with limit, a document filed in the lost area after the revoke', async () => {
    const me = who(w, 'chw11');
    const kept = (await feed(w, me, 'since=now')).last_seq;
    const secret = await revokeThenFile(2);
    const pages = await walkPages(w, me, kept, 'removals=true', 1);
    const entries = pages.flatMap((p) => p.entries);
    assert.ok(entries.some((e) => e.removed), 'the area they held is removed');
    for (const id of secret) assert.ok(!entries.some((e) => e.id === id), `a removal names ${id}, filed after the revoke`);
  });

  it('never names in a removal, resuming from an entry, a document filed in the lost area after the revoke', async () => {
    const me = who(w, 'chw11');
    const kept = (await feed(w, me, 'since=now')).last_seq;
    const [secret] = await revokeThenFile(1);
    // A change they may still see comes after it, then the new document changes again.
    await w.world.admin.insert({ _id: 'a-new-form', type: 'form', title: 'new' });
    const first = await feed(w, me, `since=${encodeURIComponent(kept)}&removals=true`);
    assert.ok(!first.results.some((e) => e.id === secret));
    const formEntry = first.results.find((e) => e.id === 'a-new-form');
    assert.ok(formEntry, 'the public change is listed');
    const stored = await w.world.admin.get(secret!);
    await w.world.admin.insert({ ...stored, note: 'edited' });
    const resumed = await feed(w, me, `since=${encodeURIComponent(formEntry.seq)}&removals=true`);
    assert.ok(!resumed.results.some((e) => e.id === secret), `a removal names ${secret}, filed after the revoke`);
  });

  it('never tells in pending more entries than follow', async () => {
    const me = who(w, 'chw11');
    const kept = (await feed(w, me, 'since=now')).last_seq;
    await revokeThenFile(3);
    for (const query of ['removals=true', '']) {
      const pages = await walkPages(w, me, kept, query, 1);
      for (const [at, page] of pages.entries()) {
        const follow = pages.slice(at + 1).reduce((n, p) => n + p.entries.length, 0);
        assert.ok(page.pending <= follow, `${query || 'no removals'}: page ${at} says ${page.pending} pending, ${follow} follow`);
      }
    }
  });
});

describe('gateway _changes then _bulk_get: listed revisions expire', function () {
  this.timeout(60_000);
  let w: AttackWorld;
  let clock = Date.UTC(2026, 11, 1);
  beforeEach(async () => { w = await attackWorld({ maxWaitMs: 300, listTtlMs: 60_000, now: () => clock }); });
  afterEach(async () => { await w.stop(); });

  it('never serves a revision listed before a revoke once listTtlMs passed, however often the feed answers since', async () => {
    const me = who(w, 'chw11');
    const all = await feed(w, me, 'since=0');
    const patient = patientOf(w, 'chw11');
    const rev = all.results.find((e) => e.id === patient)!.changes[0]!.rev;
    await moveUser(w.world, w.world.user('chw11').name, 'no-such-place');
    let cursor = all.last_seq;
    // The user keeps the feed busy: every minute something they may still see changes.
    for (let i = 0; i < 3; i++) {
      clock += 40_000;
      await w.world.admin.insert({ _id: `form-${i}`, type: 'form', title: String(i) });
      const page = await feed(w, me, `since=${encodeURIComponent(cursor)}&removals=true`);
      assert.ok(page.results.some((e) => e.id === `form-${i}`));
      cursor = page.last_seq;
    }
    const got = await w.json(me, 'POST', '_bulk_get', { docs: [{ id: patient, rev }] });
    assert.equal(got.status, 200, got.text);
    assert.ok(!got.text.includes('"ok"'), `served ${patient} ${rev} 120 s after it was listed: ${got.text.slice(0, 200)}`);
  });

  it('never serves a tombstone or a later revision of a document that left the view after the feed listed it', async () => {
    const me = who(w, 'chw11');
    const patient = patientOf(w, 'chw11');
    const start = await feed(w, me, 'since=0');
    assert.ok(start.results.some((e) => e.id === patient));
    // The patient moves to the other area, is edited there, then deleted with a body.
    const stored = await w.world.admin.get(patient);
    const elsewhere = w.world.user('chw12').facilityId;
    const moved = await w.world.admin.insert({ ...stored, parent: { _id: elsewhere }, secret: 'moved away' });
    const removed = await feed(w, me, `since=${encodeURIComponent(start.last_seq)}&removals=true&style=all_docs`);
    assertCarries(JSON.stringify(removed), [moved.rev, 'moved away'], false);
    const deleted = await w.world.admin.insert({ ...stored, _rev: moved.rev, _deleted: true, parent: { _id: elsewhere }, secret: 'deleted there' });
    const later = await feed(w, me, `since=${encodeURIComponent(removed.last_seq)}&removals=true&style=all_docs&include_docs=true`);
    assertCarries(JSON.stringify(later), [moved.rev, deleted.rev, 'deleted there'], false);
    for (const docs of [[{ id: patient }], [{ id: patient, rev: moved.rev }], [{ id: patient, rev: deleted.rev }]]) {
      for (const query of ['', '?latest=true', '?revs=true']) {
        const got = await w.json(me, 'POST', `_bulk_get${query}`, { docs });
        assertCarries(got.text, ['moved away', 'deleted there'], false);
      }
    }
  });
});

describe('gateway _changes: leaves and gained areas', function () {
  this.timeout(90_000);
  let w: AttackWorld;
  beforeEach(async () => { w = await attackWorld({ maxWaitMs: 300 }); });
  afterEach(async () => { await w.stop(); });

  it('never names in a removal a document that left a newly granted area before the grant', async () => {
    const me = who(w, 'chw11');
    const home = w.world.user('chw11').facilityId;
    const other = w.world.user('chw12').facilityId;
    const clinics = w.world.data.medic.filter((d) => d.type === 'clinic' && (d['parent'] as { _id?: string } | undefined)?._id === other);
    const [first, second] = clinics;
    assert.ok(first && second, 'the other area has two clinics');
    const patient = w.world.data.medic.find((d) => d.type === 'person' && (d['parent'] as { _id?: string } | undefined)?._id === second._id);
    assert.ok(patient);
    // A report about a patient of the other area's second clinic, sorted before every other id.
    await w.world.admin.insert({ _id: '!moved-before-grant', type: 'data_record', form: 'home_visit', fields: { patient_uuid: patient._id }, contact: { _id: w.world.user('chw12').contactId } });
    const kept = (await feed(w, me, 'since=now')).last_seq;
    // Granted the first clinic; its documents are listed page by page.
    const settings = await w.world.admin.get(`org.couchdb.user:${me.name}`);
    const granted = await w.world.admin.insert({ ...settings, facility_id: [home, first._id] });
    const page1 = await feed(w, me, `since=${encodeURIComponent(kept)}&limit=1&removals=true`);
    const page2 = await feed(w, me, `since=${encodeURIComponent(page1.results.at(-1)!.seq)}&limit=1&removals=true`);
    assert.ok(page2.results.length === 1 && !page2.results[0]!.removed, 'a gained document is listed');
    // The report leaves the other area, then the whole of it is granted.
    const report = await w.world.admin.get('!moved-before-grant');
    await w.world.admin.insert({ ...report, fields: { patient_uuid: 'no-such-patient' } });
    await w.world.admin.insert({ ...settings, _rev: granted.rev, facility_id: [home, other] });
    const later = await walkPages(w, me, page2.results[0]!.seq, 'removals=true', 5);
    const entries = later.flatMap((p) => p.entries);
    assert.ok(!entries.some((e) => e.id === '!moved-before-grant'), 'a removal names a document the user never could see');
  });
});
