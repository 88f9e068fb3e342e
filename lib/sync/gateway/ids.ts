/** `GET _fieldsync/ids`: every `{id, rev, conflicts?}` the user may have, sorted by id, with the count and `last_seq`. */
import { batches } from '../protocol.js';
import type { ListedDoc, IdsResponse } from '../protocol.js';
import type { AnyDoc } from '../rules.js';
import { visible } from './contexts.js';
import type { Endpoint } from './endpoint.js';
import { GatewayError, sendJson } from './http.js';
import type { GatewayCouch } from './couch.js';
import type { RequestScope } from './scope.js';
import { byId, visibleRevisions } from './visible-revisions.js';

/**
 * The conflicting leaves the user may see, by id: the view files a document by its winner, so each
 * leaf (another version, maybe about someone else) is read and checked on its own. Conflicts are rare.
 */
async function visibleConflicts(
  scope: RequestScope, couch: GatewayCouch, readable: ReadonlySet<string>, wanted: ReadonlyMap<string, readonly string[]>,
): Promise<Map<string, string[]>> {
  const shown = new Map<string, string[]>();
  if (wanted.size === 0) return shown;
  const docs = [...wanted].flatMap(([id, revs]) => revs.map((rev) => ({ id, rev })));
  const results: Array<{ id: string; docs: Array<{ ok?: AnyDoc }> }> = [];
  for (const part of batches(docs, 500)) {
    results.push(...((await couch.request(scope.db, 'POST', '_bulk_get', undefined, { docs: part })) as { results: typeof results }).results);
  }
  for (const result of results) {
    for (const { ok } of result.docs) {
      if (!ok?._rev || ok._deleted || ok._id !== result.id || !visible(scope, readable, ok)) continue;
      shown.set(ok._id, [...new Set([...(shown.get(ok._id) ?? []), ok._rev])]);
    }
  }
  return shown;
}

/** Answers the pull list, and remembers it so `_bulk_get` of exactly those revisions can be streamed. */
export const ids: Endpoint = async (scope, _req, res, parts) => {
  const { couch, listed, limits } = parts;
  const info = (await couch.request(scope.db, 'GET', '')) as { update_seq: unknown };
  const { winners, conflicted, readable } = await visibleRevisions(scope, parts);
  const seen = new Map<string, ListedDoc>(winners);
  for (const [id, conflicts] of await visibleConflicts(scope, couch, readable, conflicted)) {
    const row = seen.get(id);
    if (row) seen.set(id, { ...row, conflicts });
  }
  const tasks = [...seen.keys()].filter((id) => id.startsWith('task~')).length;
  const count = seen.size - tasks;
  scope.log.docs = seen.size;
  // Only winners may be streamed unread; a conflicting leaf is fetched on the checked path.
  listed.remember(scope, new Map([...seen.values()].map((r) => [r.id, r.rev])));
  if (limits.maxDocs !== undefined && count > limits.maxDocs) {
    throw new GatewayError(403, 'too_many_docs', `${scope.user.name} may see ${count} documents, more than the limit of ${limits.maxDocs}`, { count, limit: limits.maxDocs });
  }
  const body: IdsResponse = {
    rows: byId(seen.values()),
    count,
    last_seq: String(info.update_seq),
    ...(count > limits.warnDocs ? { warning: `${scope.user.name} may see ${count} documents, more than ${limits.warnDocs}: sync and the device will be slow` } : {}),
  };
  sendJson(res, 200, body);
};
