/** `GET/PUT/DELETE _local/<id>`: replication checkpoints, kept per user so one user never reads or resets another's. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayParts } from './endpoint.js';
import { readJson, sendJson } from './http.js';
import type { RequestScope } from './scope.js';

/** Answers one checkpoint request for `id` (the part after `_local/`). */
export async function local(scope: RequestScope, req: IncomingMessage, res: ServerResponse, { couch, limits }: GatewayParts, id: string): Promise<void> {
  const stored = `fieldsync~${scope.user.name}~${id}`;
  const path = `_local/${encodeURIComponent(stored)}`;
  const method = req.method as 'GET' | 'PUT' | 'DELETE';
  const sent = method === 'PUT' ? await readJson(req, limits.bodyBytes) : undefined;
  const body = typeof sent === 'object' && sent !== null ? { ...sent, _id: `_local/${stored}` } : sent;
  const qs = method === 'DELETE' ? { rev: new URL(req.url ?? '/', 'http://x').searchParams.get('rev') ?? '' } : undefined;
  const answer = await couch.request(scope.db, method, path, qs, body);
  sendJson(res, method === 'GET' ? 200 : 201, method === 'GET' ? { ...(answer as object), _id: `_local/${id}` } : { ...(answer as object), id: `_local/${id}` });
}
