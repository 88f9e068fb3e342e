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

/** Reads a JSON body, refusing more than `limit` bytes with a 413. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const decoder = new StringDecoder('utf8');
  let text = '';
  let size = 0;
  for await (const chunk of req as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw new GatewayError(413, 'too_large', `the request body is larger than ${limit} bytes`);
    text += decoder.write(chunk);
  }
  text += decoder.end();
  if (size === 0) return {};
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
