/** `POST _fieldsync/gone`: which of the device's ids the server holds but the user may no longer have. */
import type { GoneResponse } from '../protocol.js';
import { visible } from './contexts.js';
import type { Endpoint } from './endpoint.js';
import { GatewayError, prop, readJson, sendJson } from './http.js';

/** Answers, for each id, `deleted`, `not-visible`, or `unknown` (never on the server). */
export const gone: Endpoint = async (scope, req, res, { couch, contexts, limits }) => {
  const ids = prop(await readJson(req, limits.bodyBytes), 'ids');
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string') || ids.length > 1000) {
    throw new GatewayError(400, 'bad_request', 'expected {"ids": [...]} with at most 1000 ids');
  }
  const { readable } = await contexts.of(scope, true);
  const rows: Array<GoneResponse['rows'][number]> = [];
  const unknown: string[] = [];
  for (const row of await couch.allDocs(scope.db, ids, true)) {
    // Never reached the server: the client keeps it and pushes it.
    if (!row.rev) { unknown.push(row.id); continue; }
    if (row.deleted) rows.push({ id: row.id, reason: 'deleted' });
    else if (row.doc && !visible(scope, readable, row.doc)) rows.push({ id: row.id, reason: 'not-visible' });
  }
  scope.log.docs = rows.length;
  sendJson(res, 200, { rows, unknown } satisfies GoneResponse);
};
