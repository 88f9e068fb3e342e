/** `POST _revs_diff`: which revisions the server lacks, for PouchDB's push. */
import type { Endpoint } from './endpoint.js';
import { GatewayError, isObject, readJson, sendJson } from './http.js';

/** Answers the missing revisions only. */
export const revsDiff: Endpoint = async (scope, req, res, { couch, limits }) => {
  const body = await readJson(req, limits.bodyBytes);
  if (!isObject(body) || !Object.values(body).every((revs) => Array.isArray(revs) && revs.every((rev) => typeof rev === 'string'))) {
    throw new GatewayError(400, 'bad_request', 'expected {"<id>": ["<rev>", ...], ...}');
  }
  if (Object.keys(body).length === 0) { sendJson(res, 200, {}); return; }
  const answer = (await couch.request(scope.db, 'POST', '_revs_diff', undefined, body)) as Record<string, { missing: string[] }>;
  // possible_ancestors would reveal revisions of documents the user may not see.
  sendJson(res, 200, Object.fromEntries(Object.entries(answer).map(([id, diff]) => [id, { missing: diff.missing }])));
};
