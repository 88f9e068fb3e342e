/** Every `{id, rev}` a user may have: the rules' `replication_keys` view by the user's keys, plus client design docs. */
import type { IdRev } from '../protocol.js';
import { readListedValue } from '../view-value.js';
import type { GatewayParts } from './endpoint.js';
import type { RequestScope } from './scope.js';

/** The user's visible winning revisions by id, the conflicting leaves the view reported, and the keys used. */
export interface VisibleRevisions {
  readonly winners: Map<string, IdRev>;
  /** Conflicting leaves of the winners, unchecked: each may be a version about someone else. */
  readonly conflicted: ReadonlyMap<string, readonly string[]>;
  readonly readable: ReadonlySet<string>;
}

/** The user's visible revisions, computed with a fresh context. */
export async function visibleRevisions(scope: RequestScope, { couch, contexts }: GatewayParts): Promise<VisibleRevisions> {
  const { readable } = await contexts.of(scope, true);
  const rows = await couch.query(scope.db).viewByKeys('replication_keys', [...readable]);
  const winners = new Map<string, IdRev>();
  const conflicted = new Map<string, readonly string[]>();
  for (const row of rows) {
    const value = readListedValue(row.value);
    if (winners.has(row.id) || !value) continue;
    winners.set(row.id, { id: row.id, rev: value.rev });
    if (value.conflicts.length > 0) conflicted.set(row.id, value.conflicts);
  }
  for (const row of await couch.allDocs(scope.db, scope.served.clientDesignDocs, false)) {
    if (row.rev && !row.deleted) winners.set(row.id, { id: row.id, rev: row.rev });
  }
  return { winners, conflicted, readable };
}

/** Revisions sorted by id (code unit order). */
export function byId<T extends IdRev>(revs: Iterable<T>): T[] {
  return [...revs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
