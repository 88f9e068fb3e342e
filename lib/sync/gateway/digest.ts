/**
 * `GET _fieldsync/digest`: `{digest, count}` of every `{id, rev}` the user may have (what `_fieldsync/ids`
 * lists): sha256 hex over the sorted lines `id + " " + rev + "\n"`, so a client proves it holds exactly
 * that set without downloading it.
 */
import { createHash } from 'node:crypto';
import type { DigestResponse } from '../protocol.js';
import type { Endpoint } from './endpoint.js';
import { sendJson } from './http.js';
import { byId, visibleRevisions } from './visible-revisions.js';

/** Answers the digest of the user's set. */
export const digest: Endpoint = async (scope, _req, res, parts) => {
  const revs = byId((await visibleRevisions(scope, parts)).values());
  const hash = createHash('sha256');
  for (const { id, rev } of revs) hash.update(`${id} ${rev}\n`);
  scope.log.docs = revs.length;
  const body: DigestResponse = { digest: hash.digest('hex'), count: revs.length };
  sendJson(res, 200, body);
};
