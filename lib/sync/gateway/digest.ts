/**
 * `GET _fieldsync/digest`: `{digest, count}` of every `{id, rev}` the user may have (what `_fieldsync/ids`
 * lists): sha256 hex over the sorted lines `id + " " + rev + "\n"` (`revisionDigest`, the same function
 * the device uses), so a client proves it holds exactly that set without downloading it.
 */
import { revisionDigest } from '../digest.js';
import type { DigestResponse } from '../protocol.js';
import type { Endpoint } from './endpoint.js';
import { sendJson } from './http.js';
import { visibleRevisions } from './visible-revisions.js';

/** Answers the digest of the user's set. */
export const digest: Endpoint = async (scope, _req, res, parts) => {
  const body: DigestResponse = revisionDigest((await visibleRevisions(scope, parts)).winners.values());
  scope.log.docs = body.count;
  sendJson(res, 200, body);
};
