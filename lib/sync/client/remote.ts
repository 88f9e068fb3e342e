/** Requests from the client to the gateway: one place that adds credentials and types failures. */
import { ENDPOINTS } from '../protocol.js';
import type { RevisionDigest } from '../digest.js';
import type { ChangesResponse, FeedResponse, GoneResponse, IdRev, IdsResponse } from '../protocol.js';
import { SyncError, toSyncError } from './errors.js';
import type { LocalDoc } from './local.js';
import { gatewayUrl, notAGateway } from './url.js';

/** How the client reaches the gateway. */
export interface RemoteOptions {
  /** The gateway URL of one database, e.g. `https://example.org/fieldsync/medic`. */
  readonly url: string;
  /** Basic-auth credentials; omit to rely on a `_session` cookie (browsers). */
  readonly auth?: { readonly username: string; readonly password: string };
  /** The fetch to use; default the global one. Browsers send cookies with `credentials: 'include'`. */
  readonly fetch?: typeof fetch;
  /**
   * Longest wait for one request, answer included (the push's requests too); past it the request
   * is aborted and fails as `offline`. Default 30 s. The live changes wait gets its own wait on top.
   */
  readonly requestTimeoutMs?: number;
}

/** Default of {@link RemoteOptions.requestTimeoutMs}. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The most a live changes wait may take beyond the wait it asked the gateway for. */
export function changesMarginMs(requestTimeoutMs: number): number {
  return Math.min(requestTimeoutMs, 10_000);
}

/**
 * Runs `fetch` then `read` on its answer within `ms`: past it the request is aborted and the call
 * fails as `offline`, even when the fetch given ignores the abort. The caller's signal still aborts.
 */
async function within<T>(ms: number, run: (signal: AbortSignal) => Promise<T>, outer?: AbortSignal | null): Promise<T> {
  const controller = new AbortController();
  const forward = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) forward();
  else outer?.addEventListener('abort', forward, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const failure = new SyncError('offline', `no answer from the server within ${ms} ms`);
      controller.abort(failure);
      reject(failure);
    }, ms);
  });
  try {
    return await Promise.race([run(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', forward);
  }
}

/** A copy of an answer whose body is already read, so nothing of it is left to wait for. */
async function buffered(response: Response): Promise<Response> {
  const body = await response.arrayBuffer();
  const empty = body.byteLength === 0 || [101, 204, 205, 304].includes(response.status);
  return new Response(empty ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * The very first request failed without an answer. In a browser a CORS refusal looks exactly like
 * this (fetch rejects with a TypeError and no status), so the message names it next to being offline.
 */
function firstFailure(err: unknown, base: string): unknown {
  const page = (globalThis as { location?: { origin?: unknown } }).location?.origin;
  if (typeof page !== 'string' || !(err instanceof TypeError)) return err;
  return new TypeError(`${err.message}: no answer from ${base}. Offline, or blocked by CORS: a page on ${page} syncs only with a gateway that lists that origin in cors.origins (docs/sync.md)`);
}

/** The gateway endpoints the pull uses, plus a fetch that PouchDB's HTTP adapter can use for push. */
export interface Remote {
  readonly url: string;
  readonly fetch: typeof fetch;
  ids(signal?: AbortSignal): Promise<IdsResponse>;
  /** Of these revisions the device holds, which the server has but the user may no longer have. */
  gone(held: readonly IdRev[], signal?: AbortSignal): Promise<GoneResponse>;
  bulkGet(wanted: readonly IdRev[], signal?: AbortSignal): Promise<{ docs: LocalDoc[]; failed: Array<{ id: string; reason: string }> }>;
  waitForChange(since: string, timeoutMs: number, signal?: AbortSignal): Promise<ChangesResponse>;
  /**
   * One page of the user's `_changes` feed after `since` (a cursor or `now`), every leaf and the
   * removals included; with `waitMs`, a long poll that waits that long for a first entry.
   */
  feed(since: string, page: { readonly limit: number; readonly waitMs?: number }, signal?: AbortSignal): Promise<FeedResponse>;
  /** One page of the feed restricted to these documents (`filter=_doc_ids`; never wider than the user's view). */
  feedOf(ids: readonly string[], since: string, limit: number, signal?: AbortSignal): Promise<FeedResponse>;
  /** The digest of every `{id, rev}` the user may have. */
  digest(signal?: AbortSignal): Promise<RevisionDigest>;
}

/** Creates the client's view of the gateway. */
export function remote(options: RemoteOptions): Remote {
  const base = gatewayUrl(options.url);
  const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const authorization = options.auth ? `Basic ${btoa(`${options.auth.username}:${options.auth.password}`)}` : undefined;
  const requestMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  let answered = false;
  const send = async (input: Parameters<typeof fetch>[0], init: RequestInit | undefined, signal: AbortSignal): Promise<Response> => {
    const headers = new Headers(init?.headers);
    if (authorization && !headers.has('authorization')) headers.set('authorization', authorization);
    try {
      const response = await baseFetch(input, { credentials: 'include', ...init, headers, signal });
      answered = true;
      return response;
    } catch (err) {
      throw answered || signal.aborted ? err : firstFailure(err, base);
    }
  };
  // What PouchDB's HTTP adapter (the push) uses: the same credentials and the same bound, body included.
  const boundedFetch: typeof fetch = (input, init) => within(requestMs, async (signal) => {
    const response = await send(input, init, signal);
    const wrongServer = notAGateway(response, base);
    if (wrongServer) throw wrongServer;
    return buffered(response);
  }, init?.signal);

  async function call<T>(path: string, init: RequestInit, ms = requestMs): Promise<T> {
    let answer: { response: Response; body: Record<string, unknown> };
    try {
      answer = await within(ms, async (signal) => {
        const response = await send(`${base}/${path}`, { ...init, headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) } }, signal);
        const text = await response.text();
        try {
          return { response, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
        } catch {
          // An answer cut off mid-body (the server went away) is no answer.
          if (response.ok) throw new SyncError('offline', `the answer to ${path.split('?')[0] ?? path} was cut off`);
          return { response, body: {} };
        }
      }, init.signal);
    } catch (err) {
      throw toSyncError(err);
    }
    const { response, body } = answer;
    if (response.ok) return body as T;
    const wrongServer = notAGateway(response, base);
    if (wrongServer) throw wrongServer;
    const reason = typeof body['reason'] === 'string' ? body['reason'] : response.statusText;
    if (body['error'] === 'too_many_docs') throw new SyncError('too-many-docs', reason, response.status, Number(body['count']));
    throw toSyncError({ status: response.status, reason });
  }

  return {
    url: base,
    fetch: boundedFetch,
    ids: (signal) => call<IdsResponse>(ENDPOINTS.ids, { method: 'GET', ...(signal ? { signal } : {}) }),
    gone: (held, signal) => call<GoneResponse>(ENDPOINTS.gone, { method: 'POST', body: JSON.stringify({ docs: held }), ...(signal ? { signal } : {}) }),
    async bulkGet(wanted, signal) {
      const answer = await call<{ results: Array<{ id: string; docs: Array<{ ok?: LocalDoc; error?: { reason?: string } }> }> }>(
        '_bulk_get?revs=true&attachments=true',
        { method: 'POST', body: JSON.stringify({ docs: wanted }), ...(signal ? { signal } : {}) },
      );
      const docs: LocalDoc[] = [];
      const failed: Array<{ id: string; reason: string }> = [];
      for (const result of answer.results) {
        for (const entry of result.docs) {
          if (entry.ok) docs.push(entry.ok);
          else failed.push({ id: result.id, reason: entry.error?.reason ?? 'not available' });
        }
      }
      return { docs, failed };
    },
    waitForChange: (since, timeoutMs, signal) =>
      call<ChangesResponse>(
        `${ENDPOINTS.changes}?since=${encodeURIComponent(since)}&timeout=${timeoutMs}`,
        { method: 'GET', ...(signal ? { signal } : {}) },
        timeoutMs + changesMarginMs(requestMs),
      ),
    feed(since, page, signal) {
      const wait = page.waitMs === undefined ? '' : `&feed=longpoll&timeout=${page.waitMs}`;
      return call<FeedResponse>(
        `${ENDPOINTS.feed}?since=${encodeURIComponent(since)}&style=all_docs&removals=true&limit=${page.limit}${wait}`,
        { method: 'GET', ...(signal ? { signal } : {}) },
        page.waitMs === undefined ? requestMs : page.waitMs + changesMarginMs(requestMs),
      );
    },
    feedOf: (ids, since, limit, signal) => call<FeedResponse>(
      `${ENDPOINTS.feed}?filter=_doc_ids&since=${encodeURIComponent(since)}&style=all_docs&removals=true&limit=${limit}`,
      { method: 'POST', body: JSON.stringify({ doc_ids: ids }), ...(signal ? { signal } : {}) },
    ),
    digest: (signal) => call<RevisionDigest>(ENDPOINTS.digest, { method: 'GET', ...(signal ? { signal } : {}) }),
  };
}
