/**
 * `POST _bulk_get`: the requested revisions, each filtered by the rules. A doc the user may not see is
 * answered exactly as one that never existed (`not_found`, `missing`, the requested rev only), so the
 * answer is no oracle. Exactly the revisions the user was just listed, with only options that cannot
 * change which revision CouchDB returns, are streamed from CouchDB unread (the fast path of the pull).
 */
import type { AnyDoc } from '../rules.js';
import { isBareTombstone, visible } from './contexts.js';
import type { Endpoint } from './endpoint.js';
import { GatewayError, isObject, readJson, sendJson } from './http.js';

/** One requested revision, as CouchDB reads it. */
interface Wanted {
  readonly id: string;
  readonly rev?: string;
  readonly atts_since?: readonly string[];
}

/** Options that only shape the listed revision itself (its history, its attachments): safe unread. */
const FAST_OPTIONS = new Set(['revs', 'attachments', 'att_encoding_info']);
/** Options forwarded on the filtered path, where every returned revision is checked. */
const FILTERED_OPTIONS = new Set([...FAST_OPTIONS, 'latest']);

/** The body's docs, checked; `plain` is false when it carries anything beyond `{docs: [{id, rev, atts_since}]}`. */
function wantedOf(body: unknown): { docs: Wanted[]; plain: boolean } {
  const docs = isObject(body) ? body['docs'] : undefined;
  if (!Array.isArray(docs)) throw new GatewayError(400, 'bad_request', 'expected a JSON object {"docs": [{"id", "rev"}...]}');
  let plain = Object.keys(body as object).length === 1;
  const wanted = docs.map((doc: unknown): Wanted => {
    const id = isObject(doc) ? doc['id'] : undefined;
    const rev = isObject(doc) ? doc['rev'] : undefined;
    const since = isObject(doc) ? doc['atts_since'] : undefined;
    if (typeof id !== 'string' || id === '' || (rev !== undefined && typeof rev !== 'string')
      || (since !== undefined && !(Array.isArray(since) && since.every((s) => typeof s === 'string')))) {
      throw new GatewayError(400, 'bad_request', 'every doc of _bulk_get is {"id": string, "rev"?: string, "atts_since"?: [string]}');
    }
    if (Object.keys(doc as object).some((key) => !['id', 'rev', 'atts_since'].includes(key))) plain = false;
    return { id, ...(rev !== undefined ? { rev } : {}), ...(since !== undefined ? { atts_since: since } : {}) };
  });
  return { docs: wanted, plain };
}

/** The options to forward: only known ones, only when true (PouchDB-based servers read `"false"` as true). */
function optionsOf(query: URLSearchParams, allowed: ReadonlySet<string>): Record<string, string> {
  return Object.fromEntries([...query.keys()].filter((key) => allowed.has(key) && query.getAll(key).every((v) => v === 'true')).map((key) => [key, 'true']));
}

/** True when the query holds only fast-path options, each `true` or `false`. */
function fastQuery(query: URLSearchParams): boolean {
  return [...query].every(([key, value]) => FAST_OPTIONS.has(key) && (value === 'true' || value === 'false'));
}

/** What CouchDB answers for a revision it does not have: the answer for anything the user may not see. */
function missing(wanted: Wanted): { error: { id: string; rev: string; error: string; reason: string } } {
  return { error: { id: wanted.id, rev: wanted.rev ?? 'undefined', error: 'not_found', reason: 'missing' } };
}

/** Items grouped by key, in order of first appearance. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** Answers one `_bulk_get`. */
export const bulkGet: Endpoint = async (scope, req, res, { couch, contexts, listed, limits, indexes }, query) => {
  const { docs, plain } = wantedOf(await readJson(req, limits.bodyBytes));
  if (plain && fastQuery(query) && docs.length > 0 && docs.every((w) => w.rev !== undefined && listed.listed(scope, w.id, w.rev))) {
    // Exactly revisions this user was just listed: pass CouchDB's answer through unread.
    const qs = new URLSearchParams(optionsOf(query, FAST_OPTIONS)).toString();
    const answer = await couch.raw(scope.db, `_bulk_get${qs ? `?${qs}` : ''}`, { docs });
    if (!answer.ok || !answer.body) throw new GatewayError(502, 'couchdb_error', `CouchDB answered ${answer.status} to _bulk_get`);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    scope.log.docs = docs.length;
    for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    res.end();
    return;
  }
  // Checkpoints are never documents: another user's must not be readable by id.
  const asked = docs.filter((w) => !w.id.startsWith('_local/'));
  const options = optionsOf(query, FILTERED_OPTIONS);
  const answer = asked.length === 0 ? { results: [] } : (await couch.request(scope.db, 'POST', '_bulk_get', options, { docs: asked })) as {
    results: Array<{ id: string; docs: Array<{ ok?: AnyDoc }> }>;
  };
  // Servers group results differently (one per request, or per id and revision): regroup by id.
  const regroup = (got: { results: Array<{ id: string; docs: Array<{ ok?: AnyDoc }> }> }): Map<string, AnyDoc[]> =>
    groupBy(got.results.flatMap((result) => result.docs.flatMap((entry) => (entry.ok && entry.ok._id === result.id ? [entry.ok] : []))), (doc) => doc._id);
  const returned = regroup(answer);
  // A cached context may be older than the list the user was just given (by another gateway, behind
  // a load balancer): it may say yes for contextTtlMs, but a no is asked again of a fresh one.
  let { readable } = await contexts.of(scope, false);
  const refusesAny = [...returned.values()].some((found) => found.some((doc) => !visible(scope, readable, doc) && !isBareTombstone(doc)));
  if (refusesAny) readable = (await contexts.of(scope, true)).readable;
  const index = indexes.running(scope.db);
  const shownOf = new Map<string, Map<string, AnyDoc>>();
  for (const [id, requests] of groupBy(docs, (w) => w.id)) {
    const revs = new Set(requests.flatMap((w) => (w.rev ? [w.rev] : [])));
    // A revision just listed to this user (the sole leaf of a doc they saw); a bare tombstone of a
    // revision the requester named, or of a doc whose last live keys (the change index's) are the user's.
    const shownAnyway = (doc: AnyDoc): boolean => listed.listed(scope, id, doc._rev ?? '')
      || (isBareTombstone(doc) && (revs.has(doc._rev ?? '') || (index?.keysOf(id)?.some((key) => readable.has(key)) ?? false)));
    const shown = new Map<string, AnyDoc>();
    for (const doc of returned.get(id) ?? []) {
      if (visible(scope, readable, doc) || shownAnyway(doc)) shown.set(doc._rev ?? '', doc);
    }
    shownOf.set(id, shown);
  }
  // With latest, CouchDB answers the newest leaf. When that one is not the user's (the doc left their view
  // since the feed listed it), the revision they were listed is answered itself, as the fast path would:
  // stock PouchDB fails its whole batch on one missing revision.
  const listedOnly = options['latest'] === 'true'
    ? asked.filter((w) => w.rev !== undefined && shownOf.get(w.id)?.size === 0 && listed.listed(scope, w.id, w.rev))
    : [];
  if (listedOnly.length > 0) {
    const { latest: _latest, ...exact } = options;
    const got = (await couch.request(scope.db, 'POST', '_bulk_get', exact, { docs: listedOnly })) as Parameters<typeof regroup>[0];
    for (const [id, found] of regroup(got)) {
      for (const doc of found) if (listedOnly.some((w) => w.id === id && w.rev === doc._rev)) shownOf.get(id)?.set(doc._rev ?? '', doc);
    }
  }
  let sent = 0;
  const results = [...groupBy(docs, (w) => w.id)].map(([id, requests]) => {
    const shown = shownOf.get(id) ?? new Map<string, AnyDoc>();
    const answered = (w: Wanted): boolean => (w.rev !== undefined && shown.has(w.rev)) || ((w.rev === undefined || options['latest'] === 'true') && shown.size > 0);
    sent += shown.size;
    return { id, docs: [...[...shown.values()].map((doc) => ({ ok: doc })), ...requests.filter((w) => !answered(w)).map(missing)] };
  });
  scope.log.docs = sent;
  sendJson(res, 200, { results });
};
