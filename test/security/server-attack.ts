/**
 * What the attacks on the embedded server's CouchDB API share: requests made as an outsider would
 * (plain fetch, no credentials or a plain user's), snapshots of a database taken through the admin,
 * and the checks every refusal must pass.
 */
import assert from 'node:assert/strict';
import type { TestCouch } from '../support/server.js';

/** A marker stored in every attacked document: an answer that contains it leaked a document. */
export const SECRET = 'secret-marker-7f3a';

/** An answer as the attacker sees it. */
export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
  readonly headers: Headers;
}

/** Basic authorization header value. */
export function basic(name: string, password: string): string {
  return `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
}

/** Sends one request; `auth` null means anonymous. A body that is not a string is sent as JSON. */
export async function send(couch: TestCouch, method: string, path: string, auth: string | null, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (auth) headers['authorization'] = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${couch.url}${path}`, {
    method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, text, json, headers: res.headers };
}

/** Ids and revisions of every document (design docs included) and of the named `_local` docs. */
export async function snapshot(couch: TestCouch, db: string, localIds: readonly string[] = []): Promise<unknown> {
  const all = await send(couch, 'GET', `/${encodeURIComponent(db)}/_all_docs`, couch.adminAuthHeader);
  assert.equal(all.status, 200, all.text);
  const rows = (all.json as { rows: Array<{ id: string; value: { rev: string } }> }).rows.map((r) => [r.id, r.value.rev]);
  const local: unknown[] = [];
  for (const id of localIds) {
    const doc = await send(couch, 'GET', `/${encodeURIComponent(db)}/${id}`, couch.adminAuthHeader);
    local.push([id, doc.status, (doc.json as { _rev?: string } | undefined)?._rev]);
  }
  return { rows, local };
}

/**
 * Asserts a refusal as CouchDB words it: 401 `unauthorized` without credentials, 403 `forbidden`
 * with a plain user's, a JSON `{error, reason}` body that carries no document and no password hash.
 */
export function assertRefused(answer: Answer, anonymous: boolean, what: string): void {
  const expected = anonymous ? { status: 401, error: 'unauthorized' } : { status: 403, error: 'forbidden' };
  assert.equal(answer.status, expected.status, `${what}: status ${answer.status} ${answer.text.slice(0, 200)}`);
  const body = answer.json as { error?: unknown; reason?: unknown } | undefined;
  assert.equal(body?.error, expected.error, `${what}: ${answer.text.slice(0, 200)}`);
  assert.equal(typeof body?.reason, 'string', `${what}: a reason`);
  assertNothingLeaked(answer, what);
}

/** No document content and no password hash in the answer. */
export function assertNothingLeaked(answer: Answer, what: string): void {
  for (const word of [SECRET, 'derived_key', 'password_scheme', '"salt"']) {
    assert.ok(!answer.text.includes(word), `${what}: the answer carries ${word}`);
  }
}

/**
 * Runs `fn` and fails if the process saw an uncaught exception or an unhandled rejection meanwhile:
 * the embedded server runs in this process, so its crash shows up here rather than as a dead port.
 */
export async function withoutCrash(fn: () => Promise<void>): Promise<void> {
  const crashes: unknown[] = [];
  const record = (err: unknown): void => { crashes.push(err); };
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  try {
    await fn();
    // Let rejections that were left unhandled surface (they are reported after a turn of the loop).
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('uncaughtException', record);
    process.off('unhandledRejection', record);
  }
  assert.deepEqual(crashes.map(String), [], 'no uncaught error in the server');
}

/** Creates a plain user (no roles unless given) through the admin and returns its authorization. */
export async function createUser(couch: TestCouch, name: string, password: string, roles: readonly string[] = []): Promise<string> {
  const res = await send(couch, 'PUT', `/_users/org.couchdb.user:${name}`, couch.adminAuthHeader, { _id: `org.couchdb.user:${name}`, type: 'user', name, password, roles });
  assert.ok(res.status === 201 || res.status === 202, res.text);
  return basic(name, password);
}

/** Who the server says `auth` is (null when nobody). */
export async function sessionName(couch: TestCouch, auth: string): Promise<string | null> {
  const res = await send(couch, 'GET', '/_session', auth);
  if (res.status !== 200) return null;
  return (res.json as { userCtx?: { name?: string | null } }).userCtx?.name ?? null;
}
