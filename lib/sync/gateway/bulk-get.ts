/**
 * `POST _bulk_get`: the requested revisions, each filtered by the rules. Exactly the revisions the user
 * was just listed are streamed from CouchDB unread (the fast path of the pull).
 */
import type { AnyDoc } from '../rules.js';
import { visible } from './contexts.js';
import type { Endpoint } from './endpoint.js';
import { GatewayError, prop, readJson, sendJson } from './http.js';

/** A deletion that carries nothing but its id and revisions. */
function isBareTombstone(doc: AnyDoc): boolean {
  return doc._deleted === true && Object.keys(doc).every((key) => ['_id', '_rev', '_deleted', '_revisions'].includes(key));
}

/** Answers one `_bulk_get`. */
export const bulkGet: Endpoint = async (scope, req, res, { couch, contexts, listed, limits }, query) => {
  const body = await readJson(req, limits.bodyBytes);
  const wanted = prop(body, 'docs');
  if (Array.isArray(wanted) && wanted.length > 0
    && wanted.every((w) => typeof prop(w, 'rev') === 'string' && listed.listed(scope, String(prop(w, 'id')), prop(w, 'rev') as string))) {
    // Exactly revisions this user was just listed: pass CouchDB's answer through unread.
    const answer = await couch.raw(scope.db, `_bulk_get?${new URLSearchParams(query).toString()}`, body);
    if (!answer.ok || !answer.body) throw new GatewayError(answer.status, 'couchdb_error', `CouchDB answered ${answer.status} to _bulk_get`);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    scope.log.docs = wanted.length;
    for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    res.end();
    return;
  }
  const { readable } = await contexts.of(scope, false);
  const answer = (await couch.request(scope.db, 'POST', '_bulk_get', Object.fromEntries(query), body)) as {
    results: Array<{ id: string; docs: Array<{ ok?: AnyDoc; error?: unknown }> }>;
  };
  let sent = 0;
  const results = answer.results.map((result) => ({
    id: result.id,
    docs: result.docs.map((entry) => {
      if (!entry.ok) return entry;
      if (visible(scope, readable, entry.ok) || isBareTombstone(entry.ok)) { sent += 1; return entry; }
      return { error: { id: result.id, rev: entry.ok._rev, error: 'forbidden', reason: 'not visible to you' } };
    }),
  }));
  scope.log.docs = sent;
  sendJson(res, 200, { results });
};
