/**
 * `GET _fieldsync/changes?since=&timeout=`: waits until the database changes after `since`; answers
 * `{last_seq, changed}` only. The gateway enforces the wait itself (whatever CouchDB does with an odd
 * `since`), checks the parameters' shape (sequences are opaque strings on a cluster: never parsed), and
 * lets each user hold only a few waits open.
 */
import type { ChangesResponse } from '../protocol.js';
import type { Endpoint } from './endpoint.js';
import { GatewayError, sendJson } from './http.js';

/** Longest `since` accepted: cluster sequences grow with the shard count, but stay far below this. */
export const MAX_SINCE_LENGTH = 8_000;

/** `since` as sent, if its shape is one CouchDB could have given: printable ASCII, no spaces, bounded. */
function sinceOf(query: URLSearchParams): string {
  const since = query.get('since') ?? 'now';
  if (since.length === 0 || since.length > MAX_SINCE_LENGTH || !/^[\x21-\x7e]+$/.test(since)) {
    throw new GatewayError(400, 'bad_request', `since must be a sequence CouchDB gave (printable, at most ${MAX_SINCE_LENGTH} characters) or "now"`);
  }
  return since;
}

/** The requested wait in ms, or undefined when none was given. */
function timeoutOf(query: URLSearchParams): number | undefined {
  const timeout = query.get('timeout');
  if (timeout === null) return undefined;
  if (!/^\d{1,12}$/.test(timeout)) throw new GatewayError(400, 'bad_request', 'timeout must be a whole number of milliseconds');
  return Number(timeout);
}

/** Waits for a change of the database after `since`, at most the gateway's longest wait. */
export const changes: Endpoint = async (scope, _req, res, { couch, limits, waits }, query) => {
  const since = sinceOf(query);
  const wait = Math.min(limits.waitMs, timeoutOf(query) ?? limits.waitMs);
  const release = waits.take(scope.user.name);
  if (!release) throw new GatewayError(429, 'too_many_requests', `${scope.user.name} already has ${limits.waitsPerUser} changes waits open`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopWaiting = (): void => undefined;
  // The bound holds whatever CouchDB does; a little grace lets CouchDB answer a short wait itself.
  const bound = new Promise<undefined>((resolve) => {
    stopWaiting = () => resolve(undefined);
    timer = setTimeout(stopWaiting, Math.min(limits.waitMs, wait + 1_000));
  });
  // A client that goes away gives its slot back at once.
  res.once('close', stopWaiting);
  try {
    const qs = wait === 0 ? { feed: 'normal', since, limit: 1 } : { feed: 'longpoll', since, timeout: wait, limit: 1, seq_interval: 1 };
    // Not aborted when the gateway stops waiting: CouchDB ends it at `timeout` (and a closed longpoll
    // makes the embedded server leak its heartbeat timer).
    const asked = couch.request(scope.db, 'GET', '_changes', qs) as Promise<{ results: unknown[]; last_seq: unknown }>;
    asked.catch(() => undefined);
    const answer = await Promise.race([asked, bound]);
    const body: ChangesResponse = answer
      ? { last_seq: String(answer.last_seq), changed: answer.results.length > 0 }
      : { last_seq: since, changed: false };
    if (!res.destroyed) sendJson(res, 200, body);
  } finally {
    clearTimeout(timer);
    res.off('close', stopWaiting);
    release();
  }
};
