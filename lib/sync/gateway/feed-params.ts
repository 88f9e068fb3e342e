/**
 * The parameters of the gateway's `_changes`, read and checked: what CouchDB accepts that could only ever
 * narrow the user's feed is taken, what could widen it or that the gateway does not serve is refused with
 * 400 `bad_request`, never passed on to CouchDB.
 */
import { GatewayError, isObject } from './http.js';

/** Most entries one answer carries, whatever `limit` says; `pending` tells the rest. */
export const MAX_FEED_ENTRIES = 10_000;

/** Shortest heartbeat honoured (a smaller one is raised to this). */
export const MIN_HEARTBEAT_MS = 50;

/** A checked request of the feed. */
export interface FeedParams {
  /** `undefined` for `0` or absent, `now`, or the cursor as sent. */
  readonly since: 'start' | 'now' | { readonly cursor: string };
  readonly longpoll: boolean;
  readonly limit: number;
  readonly heartbeatMs: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly allDocs: boolean;
  /** Ids the feed is restricted to (never widened by them). */
  readonly docIds: ReadonlySet<string> | undefined;
  readonly includeDocs: boolean;
  readonly conflicts: boolean;
  readonly attachments: boolean;
  readonly attEncodingInfo: boolean;
  readonly removals: boolean;
}

const bad = (reason: string): GatewayError => new GatewayError(400, 'bad_request', reason);

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null || value === 'false') return false;
  if (value === 'true') return true;
  throw bad(`${name} must be true or false`);
}

function millis(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (name === 'heartbeat' && value === 'true') return 60_000;
  if (!/^\d{1,12}$/.test(value)) throw bad(`${name} must be a whole number of milliseconds`);
  return Number(value);
}

function idsOf(value: unknown, from: string): ReadonlySet<string> {
  if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) throw bad(`${from} must be a JSON array of document ids`);
  return new Set(value);
}

/** Reads the query (and the body of a POST, already parsed: `{doc_ids}` only). */
export function feedParams(query: URLSearchParams, body: unknown): FeedParams {
  const feed = query.get('feed') ?? 'normal';
  if (feed === 'continuous' || feed === 'eventsource') throw bad(`feed=${feed} is not served by the sync gateway: use feed=longpoll`);
  if (feed !== 'normal' && feed !== 'longpoll') throw bad('feed must be normal or longpoll');
  const filter = query.get('filter');
  if (filter !== null && filter !== '_doc_ids') throw bad(`filter=${filter} is not served by the sync gateway: only _doc_ids, which narrows the feed`);
  if (flag(query, 'descending')) throw bad('descending=true is not served by the sync gateway');
  const style = query.get('style') ?? 'main_only';
  if (style !== 'main_only' && style !== 'all_docs') throw bad('style must be main_only or all_docs');
  if (body !== undefined && (!isObject(body) || Object.keys(body).some((key) => key !== 'doc_ids'))) {
    throw bad('the body of POST _changes may only carry doc_ids');
  }
  let docIds: ReadonlySet<string> | undefined;
  const fromBody = isObject(body) ? body['doc_ids'] : undefined;
  if (fromBody !== undefined) docIds = idsOf(fromBody, 'doc_ids');
  const fromQuery = query.get('doc_ids');
  if (fromQuery !== null) {
    let parsed: unknown;
    try { parsed = JSON.parse(fromQuery); } catch { throw bad('doc_ids must be a JSON array of document ids'); }
    const ids = idsOf(parsed, 'doc_ids');
    docIds = docIds ? new Set([...docIds].filter((id) => ids.has(id))) : ids;
  }
  if (filter === '_doc_ids' && !docIds) throw bad('filter=_doc_ids needs doc_ids');
  const rawLimit = query.get('limit');
  if (rawLimit !== null && !/^\d{1,12}$/.test(rawLimit)) throw bad('limit must be a whole number');
  const since = query.get('since') ?? '0';
  return {
    since: since === '0' ? 'start' : since === 'now' ? 'now' : { cursor: since },
    longpoll: feed === 'longpoll',
    limit: Math.min(MAX_FEED_ENTRIES, Math.max(1, rawLimit === null ? MAX_FEED_ENTRIES : Number(rawLimit))),
    heartbeatMs: ((hb) => (hb === undefined ? undefined : Math.max(MIN_HEARTBEAT_MS, hb)))(millis(query, 'heartbeat')),
    timeoutMs: millis(query, 'timeout'),
    allDocs: style === 'all_docs',
    docIds,
    includeDocs: flag(query, 'include_docs'),
    conflicts: flag(query, 'conflicts'),
    attachments: flag(query, 'attachments'),
    attEncodingInfo: flag(query, 'att_encoding_info'),
    removals: flag(query, 'removals'),
  };
}
