/**
 * `POST _fieldsync/gone {docs: [{id, rev}]}`: of the revisions the device says it holds (and was not
 * listed), which the server has but the user may no longer have. It speaks only of revisions the server
 * knows: for any other pair it answers `unknown`, whether the id never existed, is not the user's, or
 * the device's revision never reached the server, so it is no oracle of other users' ids.
 */
import type { GoneResponse, IdRev } from '../protocol.js';
import { visible } from './contexts.js';
import type { Endpoint } from './endpoint.js';
import { GatewayError, isObject, readJson, sendJson } from './http.js';

/** Most pairs in one request. */
export const MAX_GONE_PAIRS = 1000;

/** The shape of a CouchDB revision; anything else is a revision no server has. */
const REV = /^[1-9]\d{0,9}-[0-9a-zA-Z]{1,64}$/;

function pairsOf(body: unknown): IdRev[] {
  const docs = isObject(body) ? body['docs'] : undefined;
  if (!Array.isArray(docs) || docs.length > MAX_GONE_PAIRS
    || !docs.every((d) => isObject(d) && typeof d['id'] === 'string' && typeof d['rev'] === 'string')) {
    throw new GatewayError(400, 'bad_request', `expected {"docs": [{"id", "rev"}...]} with at most ${MAX_GONE_PAIRS} pairs`);
  }
  return (docs as Array<Record<string, string>>).map((d) => ({ id: d['id'] ?? '', rev: d['rev'] ?? '' }));
}

/** Answers `deleted` or `not-visible` for revisions the server knows, `unknown` for the rest. */
export const gone: Endpoint = async (scope, req, res, { couch, contexts, limits }) => {
  const pairs = pairsOf(await readJson(req, limits.bodyBytes));
  const checkable = pairs.filter((p) => REV.test(p.rev) && !p.id.startsWith('_local/'));
  const { readable } = await contexts.of(scope, true);
  const asked = new Map<string, string[]>();
  for (const p of checkable) asked.set(p.id, [...(asked.get(p.id) ?? []), p.rev]);
  const diff = checkable.length === 0 ? {} : (await couch.request(scope.db, 'POST', '_revs_diff', undefined, Object.fromEntries(asked))) as Record<string, { missing?: string[] }>;
  const known = (p: IdRev): boolean => REV.test(p.rev) && !p.id.startsWith('_local/') && !(diff[p.id]?.missing ?? []).includes(p.rev);
  const stored = new Map((await couch.allDocs(scope.db, [...new Set(checkable.filter(known).map((p) => p.id))], true)).map((row) => [row.id, row]));
  const rows: Array<GoneResponse['rows'][number]> = [];
  const unknown: string[] = [];
  for (const pair of pairs) {
    const row = stored.get(pair.id);
    // The server lacks this revision (never had the id, or the device's edit never reached it, as
    // after a restore from an older backup): the device keeps it and pushes it.
    if (!known(pair) || !row?.rev) unknown.push(pair.id);
    else if (row.deleted) rows.push({ id: pair.id, reason: 'deleted' });
    else if (row.doc && !visible(scope, readable, row.doc)) rows.push({ id: pair.id, reason: 'not-visible' });
  }
  scope.log.docs = rows.length;
  sendJson(res, 200, { rows, unknown } satisfies GoneResponse);
};
