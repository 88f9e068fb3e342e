/**
 * A fetch that counts what a client moves: requests, and body bytes both ways (request bodies as sent,
 * answers as received; headers are not counted). Both fieldsync's client and PouchDB's HTTP adapter
 * take a `fetch` option, so both sides of a bench are counted the same way.
 */

/** The counters of one {@link countingFetch}. */
export interface HttpCount {
  requests: number;
  bytes: number;
  /** Requests sent and not yet answered in full, live waits included. */
  inFlight: number;
  /** Requests in flight that are not long polls (live waits). */
  busy: number;
  /** When the last request started or ended (performance.now()). */
  lastActivity: number;
}

/** A new counter at zero. */
export function httpCount(): HttpCount {
  return { requests: 0, bytes: 0, inFlight: 0, busy: 0, lastActivity: performance.now() };
}

function bodyBytes(body: unknown): number {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof ArrayBuffer) return body.byteLength;
  if (ArrayBuffer.isView(body)) return body.byteLength;
  if (body instanceof Blob) return body.size;
  return 0; // form data and streams: none is sent by these clients
}

/** True for a live wait: fieldsync's `_fieldsync/changes`, or a long-polling `_changes`. */
function isWait(url: string): boolean {
  return url.includes('/_fieldsync/changes') || (url.includes('/_changes') && url.includes('feed=longpoll'));
}

/** A fetch adding to `count` (and to `also`, e.g. a total over several clients). */
export function countingFetch(count: HttpCount, also?: HttpCount): typeof fetch {
  const counters = also ? [count, also] : [count];
  return async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const wait = isWait(url);
    for (const c of counters) {
      c.requests += 1;
      c.bytes += bodyBytes(init?.body);
      c.inFlight += 1;
      if (!wait) c.busy += 1;
      c.lastActivity = performance.now();
    }
    try {
      const response = await fetch(input, init);
      const body = await response.arrayBuffer();
      for (const c of counters) c.bytes += body.byteLength;
      const empty = body.byteLength === 0 || [101, 204, 205, 304].includes(response.status);
      return new Response(empty ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } finally {
      for (const c of counters) {
        c.inFlight -= 1;
        if (!wait) c.busy -= 1;
        c.lastActivity = performance.now();
      }
    }
  };
}
