/** `GET _fieldsync/ids`: every `{id, rev}` the user may have, sorted by id, with the count and `last_seq`. */
import type { IdRev, IdsResponse } from '../protocol.js';
import type { Endpoint } from './endpoint.js';
import { GatewayError, sendJson } from './http.js';

/** Answers the pull list, and remembers it so `_bulk_get` of exactly those revisions can be streamed. */
export const ids: Endpoint = async (scope, _req, res, { couch, contexts, listed, limits }) => {
  const { readable } = await contexts.of(scope, true);
  const info = (await couch.request(scope.db, 'GET', '')) as { update_seq: unknown };
  const rows = await couch.query(scope.db).viewByKeys('replication_keys', [...readable]);
  const seen = new Map<string, IdRev>();
  let tasks = 0;
  for (const row of rows) {
    if (seen.has(row.id) || typeof row.value !== 'string') continue;
    seen.set(row.id, { id: row.id, rev: row.value });
    if (row.id.startsWith('task~')) tasks += 1;
  }
  for (const row of await couch.allDocs(scope.db, scope.served.clientDesignDocs, false)) {
    if (row.rev && !row.deleted) seen.set(row.id, { id: row.id, rev: row.rev });
  }
  const count = seen.size - tasks;
  scope.log.docs = seen.size;
  listed.remember(scope, new Map([...seen.values()].map((r) => [r.id, r.rev])));
  if (limits.maxDocs !== undefined && count > limits.maxDocs) {
    throw new GatewayError(403, 'too_many_docs', `${scope.user.name} may see ${count} documents, more than the limit of ${limits.maxDocs}`, { count, limit: limits.maxDocs });
  }
  const body: IdsResponse = {
    rows: [...seen.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    count,
    last_seq: String(info.update_seq),
    ...(count > limits.warnDocs ? { warning: `${scope.user.name} may see ${count} documents, more than ${limits.warnDocs}: sync and the device will be slow` } : {}),
  };
  sendJson(res, 200, body);
};
