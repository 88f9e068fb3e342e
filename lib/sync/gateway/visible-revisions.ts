/** Every `{id, rev}` a user may have: the rules' `replication_keys` view by the user's keys, plus client design docs. */
import type { IdRev } from '../protocol.js';
import type { GatewayParts } from './endpoint.js';
import type { RequestScope } from './scope.js';

/** The user's visible revisions, by id, computed with a fresh context. */
export async function visibleRevisions(scope: RequestScope, { couch, contexts }: GatewayParts): Promise<Map<string, IdRev>> {
  const { readable } = await contexts.of(scope, true);
  const rows = await couch.query(scope.db).viewByKeys('replication_keys', [...readable]);
  const seen = new Map<string, IdRev>();
  for (const row of rows) {
    if (seen.has(row.id) || typeof row.value !== 'string') continue;
    seen.set(row.id, { id: row.id, rev: row.value });
  }
  for (const row of await couch.allDocs(scope.db, scope.served.clientDesignDocs, false)) {
    if (row.rev && !row.deleted) seen.set(row.id, { id: row.id, rev: row.rev });
  }
  return seen;
}

/** Revisions sorted by id (code unit order). */
export function byId(revs: Iterable<IdRev>): IdRev[] {
  return [...revs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
