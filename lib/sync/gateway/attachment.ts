/**
 * `GET <doc id>/<attachment name>?rev=`: one attachment of a revision the user may see, streamed from
 * CouchDB. Stock PouchDB's replication asks this way for every attachment stub `_bulk_get` answered. A
 * revision the user may not see (or a `_local` doc, or a missing attachment) is answered as missing.
 */
import type { ServerResponse } from 'node:http';
import type { AnyDoc } from '../rules.js';
import { visible } from './contexts.js';
import type { GatewayParts } from './endpoint.js';
import { GatewayError } from './http.js';
import type { RequestScope } from './scope.js';

/** The document id and attachment name a path names (its segments decoded one by one), if it names one. */
export function attachmentTarget(segments: readonly string[]): { docId: string; name: string } | undefined {
  const [first = '', second = ''] = segments;
  if (first === '_design' && segments.length >= 3 && second !== '') return { docId: `_design/${second}`, name: segments.slice(2).join('/') };
  if (first !== '' && !first.startsWith('_') && segments.length >= 2) return { docId: first, name: segments.slice(1).join('/') };
  return undefined;
}

const missing = (): GatewayError => new GatewayError(404, 'not_found', 'missing');

/** The path of a document on CouchDB (a design doc's slash kept, as CouchDB wants it). */
function docPath(id: string): string {
  return id.startsWith('_design/') ? `_design/${encodeURIComponent(id.slice('_design/'.length))}` : encodeURIComponent(id);
}

/** Answers one attachment request. */
export async function attachment(scope: RequestScope, res: ServerResponse, { couch, contexts }: GatewayParts, target: { docId: string; name: string }, query: URLSearchParams): Promise<void> {
  const rev = query.get('rev');
  if (target.name === '') throw missing();
  let doc: AnyDoc & { _attachments?: Record<string, unknown> };
  try {
    doc = (await couch.request(scope.db, 'GET', docPath(target.docId), rev === null ? undefined : { rev })) as typeof doc;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404 || (err as { statusCode?: number }).statusCode === 400) throw missing();
    throw err;
  }
  const { readable } = await contexts.of(scope, false);
  if (doc._deleted === true || !visible(scope, readable, doc) || !doc._attachments?.[target.name]) throw missing();
  const answer = await couch.raw(scope.db, `${docPath(target.docId)}/${target.name.split('/').map(encodeURIComponent).join('/')}?rev=${encodeURIComponent(doc._rev ?? '')}`);
  if (!answer.ok || !answer.body) throw new GatewayError(502, 'couchdb_error', `CouchDB answered ${answer.status} to an attachment request`);
  const headers: Record<string, string> = { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream', 'cache-control': 'no-store' };
  const length = answer.headers.get('content-length');
  if (length) headers['content-length'] = length;
  res.writeHead(200, headers);
  scope.log.docs = 1;
  for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  res.end();
}
