/** `GET/PUT/DELETE _local/<id>`: replication checkpoints, kept per user so one user never reads or resets another's. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayParts } from './endpoint.js';
import { GatewayError, isObject, readJson, sendJson } from './http.js';
import type { RequestScope } from './scope.js';

/** Answers one checkpoint request for `id` (the part after `_local/`). */
export async function local(scope: RequestScope, req: IncomingMessage, res: ServerResponse, { couch, limits }: GatewayParts, id: string, query: URLSearchParams): Promise<void> {
  if (id === '') throw new GatewayError(400, 'bad_request', 'a checkpoint needs an id after _local/');
  const stored = `fieldsync~${scope.user.name}~${id}`;
  const path = `_local/${encodeURIComponent(stored)}`;
  const method = req.method as 'GET' | 'PUT' | 'DELETE';
  let body: Record<string, unknown> | undefined;
  if (method === 'PUT') {
    const sent = await readJson(req, limits.bodyBytes);
    if (!isObject(sent)) throw new GatewayError(400, 'bad_request', 'a checkpoint is a JSON object');
    body = { ...sent, _id: `_local/${stored}` };
  }
  const qs = method === 'DELETE' ? { rev: query.get('rev') ?? '' } : undefined;
  const answer = await couch.request(scope.db, method, path, qs, body);
  sendJson(res, method === 'GET' ? 200 : 201, method === 'GET' ? { ...(answer as object), _id: `_local/${id}` } : { ...(answer as object), id: `_local/${id}` });
}
