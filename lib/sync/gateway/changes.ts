/** `GET _fieldsync/changes?since=&timeout=`: waits until the database changes; answers `{last_seq, changed}` only. */
import type { ChangesResponse } from '../protocol.js';
import type { Endpoint } from './endpoint.js';
import { sendJson } from './http.js';

/** Waits for a change of the database after `since`, at most the gateway's longest wait. */
export const changes: Endpoint = async (scope, _req, res, { couch, limits }, query) => {
  const since = query.get('since') ?? 'now';
  const timeout = Math.min(limits.waitMs, Math.max(0, Number(query.get('timeout') ?? limits.waitMs) || 0));
  const answer = (await couch.request(scope.db, 'GET', '_changes', { feed: 'longpoll', since, timeout, limit: 1, seq_interval: 1 })) as {
    results: unknown[]; last_seq: unknown;
  };
  sendJson(res, 200, { last_seq: String(answer.last_seq), changed: answer.results.length > 0 } satisfies ChangesResponse);
};
