/**
 * Stock clients against a sync world: an unmodified PouchDB http database on the gateway URL (its
 * requests recorded), the set a user should hold computed by the rules from what the server holds now,
 * writes the admin makes inside or outside a user's view, and a wait for a condition with a deadline.
 */
import assert from 'node:assert/strict';
import type { SeedDoc, SeedUser } from '../../lib/seed/dataset.js';
import { lineageIds } from '../../lib/validate/consistency.js';
import { PouchDB } from '../support/pouch.js';
import { expectedIds } from './expected.js';
import type { SyncWorld } from './world.js';

/** One request a stock client sent. */
export interface SentRequest {
  readonly method: string;
  /** Path and query after the database URL, e.g. `_changes?style=all_docs&since=0&limit=100`. */
  readonly path: string;
  readonly status: number;
  /** The answer's text, kept for `_changes` and `_bulk_get` only. */
  readonly text?: string;
}

/** A stock PouchDB http database on the gateway as `user`, and every request it sent. */
export function stockRemote(world: SyncWorld, user: SeedUser, beforeSending?: (path: string, body: string | undefined) => Promise<void>): { remote: PouchDB.Database; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  // PouchDB's own fetch (node-fetch in Node): its adapter reads attachments with `response.buffer()`.
  const record = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const target = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url;
    await beforeSending?.(target.slice(world.url.length + 1), typeof init?.body === 'string' ? init.body : undefined);
    const response = await (PouchDB as unknown as { fetch: typeof fetch }).fetch(url, init);
    const href = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url;
    const path = href.startsWith(world.url) ? href.slice(world.url.length + 1) : href;
    const text = path.startsWith('_changes') || path.startsWith('_bulk_get') ? await response.clone().text() : undefined;
    sent.push({ method: init?.method ?? 'GET', path, status: response.status, ...(text !== undefined ? { text } : {}) });
    return response;
  };
  const options = { auth: { username: user.name, password: user.password }, fetch: record };
  return { remote: new PouchDB(world.url, options), sent };
}

/** Every live document on the server now, as the admin reads it (design docs included: the rules give them no key). */
export async function serverDocs(world: SyncWorld): Promise<SeedDoc[]> {
  const { rows } = await world.admin.list({ include_docs: true });
  return rows.flatMap((row) => (row.doc ? [row.doc as unknown as SeedDoc] : []));
}

/** Ids `user` may see now, by the rules applied to what the server holds. */
export async function visibleNow(world: SyncWorld, user: SeedUser): Promise<Set<string>> {
  return expectedIds(await serverDocs(world), user);
}

/** Every id of a local database, design docs included (a stock client must get none). */
export async function heldIds(db: PouchDB.Database): Promise<string[]> {
  return (await db.allDocs()).rows.map((row) => row.id).sort();
}

/** Asserts `db` holds exactly `expected`, each at the server's current revision. */
export async function assertHoldsExactly(world: SyncWorld, db: PouchDB.Database, expected: ReadonlySet<string>, who: string): Promise<void> {
  const held = await heldIds(db);
  const extra = held.filter((id) => !expected.has(id));
  const missing = [...expected].filter((id) => !held.includes(id));
  assert.deepEqual({ extra, missing }, { extra: [], missing: [] }, `${who} holds exactly the docs the rules give them`);
  const server = new Map((await world.admin.list()).rows.map((row) => [row.id, row.value.rev]));
  const stale = (await db.allDocs()).rows.filter((row) => server.get(row.id) !== row.value.rev).map((row) => row.id);
  assert.deepEqual(stale, [], `${who} holds the server's revision of every doc`);
}

/** A new report by `user` about their own contact: a write `user` sees (and may make). */
export function reportBy(user: SeedUser, id: string, extra: Record<string, unknown> = {}): Record<string, unknown> & { _id: string } {
  return { _id: id, type: 'data_record', form: 'home_visit', reported_date: 1, contact: { _id: user.contactId }, fields: {}, ...extra };
}

/** A doc of `type` that `user` sees now (not one of `skip`). */
export async function visibleDoc(world: SyncWorld, user: SeedUser, type: string, skip: ReadonlySet<string> = new Set()): Promise<SeedDoc> {
  const visible = await visibleNow(world, user);
  const found = (await serverDocs(world)).find((d) => d.type === type && visible.has(d._id) && !skip.has(d._id) && d._id !== user.contactId);
  assert.ok(found, `the server has a ${type} ${user.name} sees`);
  return found;
}

/** A doc of `type` under `facilityId`, from the data set. */
function docUnder(world: SyncWorld, facilityId: string, type: string, skip: ReadonlySet<string> = new Set()): SeedDoc {
  const found = world.data.medic.find((d) => d.type === type && !skip.has(d._id) && lineageIds(d['parent']).includes(facilityId));
  assert.ok(found, `the data set has a ${type} under ${facilityId}`);
  return found;
}

/** Moves a person `from` sees into a household of `to`'s branch, with `secret` in it; its new revision. */
export async function movePerson(world: SyncWorld, from: SeedUser, to: SeedUser, secret: string, id?: string): Promise<{ id: string; oldRev: string; newRev: string }> {
  const person = id === undefined ? await visibleDoc(world, from, 'person') : { _id: id };
  const household = docUnder(world, to.facilityId, 'clinic');
  const stored = await world.admin.get(person._id);
  const { rev } = await world.admin.insert({ ...stored, parent: { _id: household._id, parent: household['parent'] }, notes: secret });
  return { id: person._id, oldRev: stored._rev, newRev: rev };
}

/**
 * Resolves once `check` holds, re-checking on every change of `db` and every `interval` ms; fails after
 * `ms` with `what` and the last thing `describe` says (the condition is awaited, not a timing guess).
 */
export async function until(db: PouchDB.Database, check: () => Promise<boolean>, what: string, describe: () => string = () => '', ms = 40_000): Promise<void> {
  const feed = db.changes({ live: true, since: 'now' });
  let wake = (): void => undefined;
  void feed.on('change', () => wake());
  try {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) assert.fail(`${what} did not happen within ${ms} ms ${describe()}`);
      await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 100); });
    }
  } finally {
    feed.cancel();
  }
}

/** A leaf written beside a doc's winner as CouchDB replication would (`new_edits: false`): `2-<digit x 32>` on its first revision. */
async function addLeaf(world: SyncWorld, id: string, root: string, digit: string, doc: Record<string, unknown>): Promise<string> {
  const rev = `2-${digit.repeat(32)}`;
  await world.admin.bulk({ docs: [{ ...doc, _id: id, _rev: rev, _revisions: { start: 2, ids: [digit.repeat(32), root] } }], new_edits: false });
  return rev;
}

/** A doc written at a third revision (the winner) with a visible losing second revision beside it, and how to add a hidden one. */
export async function conflictedDoc(world: SyncWorld, id: string, doc: Record<string, unknown>): Promise<{
  winner: string; visible: string; addHidden(hiddenContact: string, secret: string): Promise<string>;
}> {
  const first = await world.admin.insert({ ...doc, _id: id });
  const second = await world.admin.insert({ ...doc, _id: id, _rev: first.rev, edits: 1 });
  const winner = (await world.admin.insert({ ...doc, _id: id, _rev: second.rev, edits: 2 })).rev;
  const root = first.rev.split('-')[1] ?? '';
  const visible = await addLeaf(world, id, root, '1', { ...doc, edits: 'elsewhere' });
  const conflicts = async (): Promise<string[]> => {
    const stored = await world.admin.get(id, { conflicts: true }) as { _rev: string; _conflicts?: string[] };
    assert.equal(stored._rev, winner, 'the longest history wins');
    return [...(stored._conflicts ?? [])].sort();
  };
  assert.deepEqual(await conflicts(), [visible], 'the server holds the visible losing leaf');
  return {
    winner, visible,
    async addHidden(hiddenContact, secret) {
      const hidden = await addLeaf(world, id, root, '0', { ...doc, contact: { _id: hiddenContact }, notes: secret });
      assert.deepEqual(await conflicts(), [hidden, visible].sort(), 'the server holds both losing leaves');
      return hidden;
    },
  };
}
