/** Small HTTP helpers of the gateway: bodies with a size limit and answers in CouchDB's format. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';

/** An error the gateway answers with a status and CouchDB's `{error, reason}` body. */
export class GatewayError extends Error {
  constructor(readonly status: number, readonly error: string, readonly reason: string, readonly extra: Record<string, unknown> = {}) {
    super(`${error}: ${reason}`);
    this.name = 'GatewayError';
  }
}

/**
 * Deepest nesting of arrays and objects a body may have. Documents nest a few levels (a contact's
 * lineage, a form's groups); far deeper bodies would overflow the stack when re-serialised.
 */
export const MAX_BODY_DEPTH = 100;

/** True when the JSON text nests arrays and objects deeper than `max` (strings are skipped). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return false;
}

/**
 * Reads a JSON body. Throws a {@link GatewayError}: 413 above `limit` bytes; 415 when a body comes
 * under another content type than `application/json` (what a cross-site form could send without a
 * preflight); 400 when it is not JSON or nests deeper than {@link MAX_BODY_DEPTH}. No body reads as `{}`.
 */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const decoder = new StringDecoder('utf8');
  let text = '';
  let size = 0;
  // Events, not `for await`: leaving an async iteration destroys the socket, and a client still sending
  // a body over the limit then sees a reset instead of the 413. Once the answer is sent, Node discards
  // the rest of the body, so the client finishes sending and reads it.
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Uint8Array): void => {
      size += chunk.byteLength;
      if (size > limit) {
        req.off('data', onData);
        req.off('end', resolve);
        reject(new GatewayError(413, 'too_large', `the request body is larger than ${limit} bytes`));
        return;
      }
      text += decoder.write(chunk);
    };
    req.on('data', onData);
    req.once('end', resolve);
    req.once('error', reject);
    // A client gone before the end of its body: no answer is read, but the handler must not wait forever.
    req.once('close', () => reject(new GatewayError(400, 'bad_request', 'the client closed the request before its end')));
  });
  text += decoder.end();
  if (size === 0) return {};
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new GatewayError(415, 'bad_content_type', 'Content-Type must be application/json');
  if (nestsDeeperThan(text, MAX_BODY_DEPTH)) throw new GatewayError(400, 'bad_request', `the request body nests deeper than ${MAX_BODY_DEPTH} levels`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GatewayError(400, 'bad_request', 'the request body is not valid JSON');
  }
}

/** Sends a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** The status and body a failure is answered with; errors from CouchDB keep their status. */
export function failureOf(err: unknown): { status: number; body: Record<string, unknown> } {
  if (err instanceof GatewayError) return { status: err.status, body: { error: err.error, reason: err.reason, ...err.extra } };
  const couch = err as { statusCode?: number; error?: string; reason?: string; message?: string };
  if (typeof couch.statusCode === 'number' && couch.statusCode >= 400) {
    return { status: couch.statusCode, body: { error: couch.error ?? 'couchdb_error', reason: couch.reason ?? couch.message ?? 'CouchDB refused the request' } };
  }
  return { status: 502, body: { error: 'gateway_error', reason: err instanceof Error ? err.message : String(err) } };
}

/** A plain object's property, if the value is an object. */
export function prop(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** True for a JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
