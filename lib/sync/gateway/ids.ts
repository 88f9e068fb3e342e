/** `GET _fieldsync/ids`: every `{id, rev, conflicts?}` the user may have, sorted by id, with the count and `last_seq`. */
import type { ListedDoc, IdsResponse } from '../protocol.js';
import type { Endpoint } from './endpoint.js';
import { GatewayError, sendJson } from './http.js';
import { visibleLeaves } from './visible-leaves.js';
import { byId, visibleRevisions } from './visible-revisions.js';

/** Answers the pull list, and remembers it so `_bulk_get` of exactly those revisions can be streamed. */
export const ids: Endpoint = async (scope, _req, res, parts) => {
  const { couch, listed, limits } = parts;
  const info = (await couch.request(scope.db, 'GET', '')) as { update_seq: unknown };
  const { winners, conflicted, readable } = await visibleRevisions(scope, parts);
  const seen = new Map<string, ListedDoc>(winners);
  // Live conflicting leaves only: the list tells the device of conflicts, not of resolved ones.
  for (const [id, conflicts] of await visibleLeaves(scope, couch, readable, conflicted, { tombstones: false })) {
    const row = seen.get(id);
    if (row) seen.set(id, { ...row, conflicts: [...conflicts] });
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
