/**
 * `GET|POST <db>/_changes`: CouchDB's changes feed for the authenticated user only, answered from the
 * gateway's change index (see feed-answer.ts), with cursors only this gateway's key could have signed.
 * `feed=longpoll` waits (bounded by the gateway's longest wait and the user's wait slots) until a change
 * touches one of the user's keys, writing a newline every `heartbeat` ms meanwhile.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FeedEntry, FeedResponse } from '../protocol.js';
import type { AnyDoc } from '../rules.js';
import { accessDigest, NO_ACCESS } from './access-keys.js';
import type { ChangeIndex } from './change-index.js';
import { visible } from './contexts.js';
import { readCursor, signCursor } from './cursor.js';
import type { CursorPayload } from './cursor.js';
import type { Endpoint, GatewayParts } from './endpoint.js';
import { feedAnswer } from './feed-answer.js';
import type { FeedAnswer, FeedItem } from './feed-answer.js';
import { feedParams } from './feed-params.js';
import type { FeedParams } from './feed-params.js';
import { GatewayError, readJson, sendJson } from './http.js';
import type { RequestScope } from './scope.js';
import { visibleLeaves } from './visible-leaves.js';

/** The reason every cursor the gateway did not give is refused with. */
export const NOT_A_CURSOR = 'since is not a cursor this gateway gave (use 0, now, or a seq of this feed)';

interface Request {
  readonly scope: RequestScope;
  readonly parts: GatewayParts;
  readonly params: FeedParams;
  readonly index: ChangeIndex;
  readonly key: string;
}

/** The user's keys now (the index has caught up): readable keys plus the client design docs they pull. */
async function keysNow(scope: RequestScope, parts: GatewayParts, index: ChangeIndex): Promise<ReadonlySet<string>> {
  const { readable } = await parts.contexts.followed(scope, index);
  return new Set([...readable, ...scope.served.clientDesignDocs]);
}

async function answer(request: Request, cursor: CursorPayload, r1: ReadonlySet<string>): Promise<FeedAnswer> {
  const { scope, parts, params, index } = request;
  const a1 = accessDigest(r1);
  const r0 = cursor.a === a1 ? r1 : await parts.store.keysOf(scope.db, cursor.a);
  return feedAnswer({
    scope, couch: parts.couch, index, cursor, r0, r1, a1, none: NO_ACCESS, limit: params.limit, allDocs: params.allDocs,
    removals: params.removals, wanted: params.docIds,
  });
}

/**
 * Of `wanted` (losing leaves by id: an entry's other leaves, a doc's `_conflicts`), those the user may read:
 * each is judged by its own body (a losing version may be about someone else), so a stock client never asks
 * for one it is then refused.
 */
async function readableLeaves(request: Request, r1: ReadonlySet<string>, wanted: ReadonlyMap<string, readonly string[]>): Promise<Map<string, Set<string>>> {
  if (wanted.size === 0) return new Map();
  return visibleLeaves(request.scope, request.parts.couch, r1, wanted, { tombstones: true });
}

/** The winning revisions of the listed documents, for `include_docs`; entries whose doc is no longer visible go. */
async function withDocs(request: Request, entries: FeedEntry[], r1: ReadonlySet<string>): Promise<FeedEntry[]> {
  const { scope, parts, params } = request;
  const ids = entries.filter((e) => !e.removed).map((e) => e.id);
  if (ids.length === 0) return entries;
  const qs = { include_docs: true, ...(params.conflicts ? { conflicts: true } : {}), ...(params.attachments ? { attachments: true } : {}), ...(params.attEncodingInfo ? { att_encoding_info: true } : {}) };
  const answer = (await parts.couch.request(scope.db, 'POST', '_all_docs', qs, { keys: ids })) as {
    rows: Array<{ key: string; value?: { rev: string; deleted?: boolean }; doc?: AnyDoc | null }>;
  };
  const docs = new Map<string, Record<string, unknown> | undefined>();
  for (const row of answer.rows) {
    if (!row.value) docs.set(row.key, undefined);
    else if (row.value.deleted) docs.set(row.key, { _id: row.key, _rev: row.value.rev, _deleted: true });
    else if (row.doc && visible(scope, r1, row.doc)) docs.set(row.key, row.doc);
    else docs.set(row.key, undefined);
  }
  const conflicts = new Map<string, readonly string[]>();
  for (const [id, doc] of docs) {
    const leaves = doc?.['_conflicts'];
    if (Array.isArray(leaves) && leaves.length > 0) conflicts.set(id, leaves.filter((rev): rev is string => typeof rev === 'string'));
  }
  const shown = await readableLeaves(request, r1, conflicts);
  for (const [id, leaves] of conflicts) {
    const { _conflicts: _all, ...doc } = docs.get(id) ?? {};
    const kept = leaves.filter((rev) => shown.get(id)?.has(rev));
    docs.set(id, kept.length > 0 ? { ...doc, _conflicts: kept } : doc);
  }
  return entries.flatMap((entry) => {
    if (entry.removed) return [entry];
    const doc = docs.get(entry.id);
    return doc ? [{ ...entry, doc }] : [];
  });
}

/** The answer's items with only the leaves the user may read (the winner, judged by the feed, always). */
async function withReadableLeaves(request: Request, items: readonly FeedItem[], r1: ReadonlySet<string>): Promise<readonly FeedItem[]> {
  const losing = new Map(items.flatMap((item) => {
    const others = item.revs.filter((rev) => rev !== item.winner);
    return others.length > 0 ? [[item.id, others] as const] : [];
  }));
  if (losing.size === 0) return items;
  const shown = await readableLeaves(request, r1, losing);
  return items.map((item) => (losing.has(item.id) ? { ...item, revs: item.revs.filter((rev) => rev === item.winner || shown.get(item.id)?.has(rev)) } : item));
}

/** Renders an answer: signs the cursors, adds docs, remembers what was listed and the keys of a new digest. */
async function render(request: Request, computed: FeedAnswer, r1: ReadonlySet<string>): Promise<FeedResponse> {
  const { scope, parts, params, key } = request;
  const sign = (cursor: CursorPayload): string => signCursor(key, scope.db, scope.user.name, cursor);
  const items = params.allDocs ? await withReadableLeaves(request, computed.items, r1) : computed.items;
  let results: FeedEntry[] = items.map((item) => ({
    seq: sign(item.cursor), id: item.id, changes: item.revs.map((rev) => ({ rev })),
    ...(item.deleted ? { deleted: true as const } : {}), ...(item.removed ? { removed: true as const } : {}),
  }));
  if (params.includeDocs) results = await withDocs(request, results, r1);
  if (computed.last.a !== NO_ACCESS) await parts.store.remember(scope.db, r1);
  // Only a document's sole leaf may later be served unread: the leaves of a conflict may each be filed
  // elsewhere (a version about someone else), so `_bulk_get` checks them one by one.
  parts.listed.merge(scope, results.flatMap((e) => (e.changes.length === 1 ? e.changes.map((c) => [e.id, c.rev] as const) : [])));
  scope.log.docs = results.length;
  return { results, last_seq: sign(computed.last), pending: computed.pending, ...(computed.verify ? { fieldsync_verify: true as const } : {}) };
}

/** Waits until a change touches the user's keys and there is something to answer, or the wait ends. */
async function longpoll(request: Request, res: ServerResponse, cursor: CursorPayload, first: { r1: ReadonlySet<string>; seen: number }): Promise<void> {
  const { scope, parts, params, index } = request;
  const release = parts.waits.take(scope.user.name);
  if (!release) throw new GatewayError(429, 'too_many_requests', `${scope.user.name} already has ${parts.limits.waitsPerUser} changes waits open`);
  let woken = false;
  let signal = (): void => undefined;
  const settingsId = `org.couchdb.user:${scope.user.name}`;
  let unregister = index.wait(new Set([...first.r1, settingsId]), () => { woken = true; signal(); });
  // A change taken in while the first answer was computed may concern the user: look again.
  if (index.seen() !== first.seen) woken = true;
  let ended = false;
  const end = (): void => { ended = true; signal(); };
  const timer = setTimeout(end, Math.min(parts.limits.waitMs, params.timeoutMs ?? parts.limits.waitMs));
  res.once('close', end);
  let beats: ReturnType<typeof setInterval> | undefined;
  if (params.heartbeatMs !== undefined) {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    beats = setInterval(() => res.write('\n'), params.heartbeatMs);
  }
  try {
    let r1 = first.r1;
    for (;;) {
      if (!woken && !ended) await new Promise<void>((resolve) => { signal = resolve; });
      signal = () => undefined;
      if (res.destroyed) return;
      const wasEnded = ended;
      woken = false;
      r1 = await keysNow(scope, parts, index);
      const computed = await answer(request, cursor, r1);
      const rendered = await render(request, computed, r1);
      if (rendered.results.length > 0 || wasEnded) {
        if (res.destroyed) return;
        if (res.headersSent) res.end(`${JSON.stringify(rendered)}\n`);
        else sendJson(res, 200, rendered);
        return;
      }
      unregister();
      unregister = index.wait(new Set([...r1, settingsId]), () => { woken = true; signal(); });
    }
  } finally {
    clearTimeout(timer);
    clearInterval(beats);
    res.off('close', end);
    unregister();
    release();
  }
}

/** Answers one request of the feed. */
export const changesFeed: Endpoint = async (scope, req: IncomingMessage, res: ServerResponse, parts, query) => {
  const body = req.method === 'POST' ? await readJson(req, parts.limits.bodyBytes) : undefined;
  const params = feedParams(query, body);
  const index = parts.indexes.of(scope.db, scope.served);
  await index.ready();
  await index.catchUp();
  const key = await parts.store.signingKey(scope.db);
  const request: Request = { scope, parts, params, index, key };
  const seen = index.seen();
  const r1 = await keysNow(scope, parts, index);
  let cursor: CursorPayload;
  if (params.since === 'start') cursor = { s: index.position(), a: NO_ACCESS };
  else if (params.since === 'now') cursor = { s: index.position(), a: accessDigest(r1) };
  else {
    const read = readCursor(key, scope.db, scope.user.name, params.since.cursor);
    if (!read) throw new GatewayError(400, 'bad_request', NOT_A_CURSOR);
    cursor = read;
  }
  const computed = await answer(request, cursor, r1);
  const rendered = await render(request, computed, r1);
  if (rendered.results.length > 0 || !params.longpoll) { sendJson(res, 200, rendered); return; }
  await longpoll(request, res, cursor, { r1, seen });
};
