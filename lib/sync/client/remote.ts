/** Requests from the client to the gateway: one place that adds credentials and types failures. */
import { ENDPOINTS } from '../protocol.js';
import type { ChangesResponse, GoneResponse, IdRev, IdsResponse } from '../protocol.js';
import { SyncError, toSyncError } from './errors.js';
import type { LocalDoc } from './local.js';

/** How the client reaches the gateway. */
export interface RemoteOptions {
  /** The gateway URL of one database, e.g. `https://example.org/fieldsync/medic`. */
  readonly url: string;
  /** Basic-auth credentials; omit to rely on a `_session` cookie (browsers). */
  readonly auth?: { readonly username: string; readonly password: string };
  /** The fetch to use; default the global one. Browsers send cookies with `credentials: 'include'`. */
  readonly fetch?: typeof fetch;
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
}

/** Creates the client's view of the gateway. */
export function remote(options: RemoteOptions): Remote {
  const base = options.url.replace(/\/+$/, '');
  const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const authorization = options.auth ? `Basic ${btoa(`${options.auth.username}:${options.auth.password}`)}` : undefined;
  const authedFetch: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    if (authorization && !headers.has('authorization')) headers.set('authorization', authorization);
    return baseFetch(input, { credentials: 'include', ...init, headers });
  };

  async function call<T>(path: string, init: RequestInit): Promise<T> {
    let response: Response;
    try {
      response = await authedFetch(`${base}/${path}`, { ...init, headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) } });
    } catch (err) {
      throw toSyncError(err);
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.ok) return body as T;
    const reason = typeof body['reason'] === 'string' ? body['reason'] : response.statusText;
    if (body['error'] === 'too_many_docs') throw new SyncError('too-many-docs', reason, response.status, Number(body['count']));
    throw toSyncError({ status: response.status, reason });
  }

  return {
    url: base,
    fetch: authedFetch,
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
      call<ChangesResponse>(`${ENDPOINTS.changes}?since=${encodeURIComponent(since)}&timeout=${timeoutMs}`, { method: 'GET', ...(signal ? { signal } : {}) }),
  };
}
