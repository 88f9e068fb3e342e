/**
 * `POST _bulk_docs`: a push of at most {@link MAX_DOCS_PER_REQUEST} documents. The gateway refuses
 * reserved ids and attachment stubs the stored document does not have; the database's rules look up
 * what they need about the push once and judge every other document in one pass against its stored
 * version. Accepted ones are written, refused ones come back as `{id, error: 'forbidden', reason}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyDoc, Forbidden } from '../rules.js';
import { attachmentProblem } from './bulk-docs-attachments.js';
import type { GatewayCouch } from './couch.js';
import { GatewayError, prop, readJson, sendJson } from './http.js';
import type { RequestScope } from './scope.js';

/**
 * Most documents one `_bulk_docs` request may carry; more are answered `413` as CouchDB's
 * `max_bulk_docs_count` is, and the sync client halves its batch on a 413.
 */
export const MAX_DOCS_PER_REQUEST = 2_000;

/** What the endpoint needs from the gateway. */
export interface BulkDocsDeps {
  readonly couch: GatewayCouch;
  readonly bodyLimit: number;
  /** The user's access context, computed afresh. */
  freshContext(scope: RequestScope): Promise<unknown>;
}

function isDocument(value: unknown): value is AnyDoc {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const id = (value as Record<string, unknown>)['_id'];
  return typeof id === 'string' && id !== '';
}

/** The documents of a `_bulk_docs` body, or a 400/413 in CouchDB's format. */
function docsOf(body: unknown): AnyDoc[] {
  const docs = prop(body, 'docs');
  if (!Array.isArray(docs) || !docs.every(isDocument)) {
    throw new GatewayError(400, 'bad_request', 'expected {"docs": [...]} where every doc is an object with a non-empty string _id');
  }
  if (docs.length > MAX_DOCS_PER_REQUEST) {
    throw new GatewayError(413, 'max_bulk_docs_count_exceeded', `a push carries at most ${MAX_DOCS_PER_REQUEST} documents, this one ${docs.length}`);
  }
  return docs;
}

/** What the gateway refuses whatever the rules: reserved ids and stubs of attachments the stored doc lacks. */
function gatewayVerdict(doc: AnyDoc, stored: AnyDoc | undefined): Forbidden | undefined {
  // Design docs are the rules' to refuse; every other reserved id (_local/...) never goes through here.
  if (doc._id.startsWith('_') && !doc._id.startsWith('_design/')) {
    return { kind: 'forbidden', docId: doc._id, reason: 'ids starting with _ are reserved' };
  }
  const problem = attachmentProblem(doc, stored);
  return problem ? { kind: 'forbidden', docId: doc._id, reason: problem } : undefined;
}

/** Answers one `POST _bulk_docs`. */
export async function bulkDocs(scope: RequestScope, req: IncomingMessage, res: ServerResponse, deps: BulkDocsDeps): Promise<void> {
  const body = await readJson(req, deps.bodyLimit);
  const batch = docsOf(body);
  const newEdits = prop(body, 'new_edits') !== false;
  const context = await deps.freshContext(scope);
  const { rules } = scope.served;
  const stored = new Map<string, AnyDoc>();
  const ids = [...new Set(batch.map((d) => d._id).filter((id) => !id.startsWith('_local/')))];
  for (const row of ids.length > 0 ? await deps.couch.allDocs(scope.db, ids, true) : []) {
    if (row.doc && !row.deleted) stored.set(row.id, row.doc);
  }
  const verdicts = batch.map((doc) => gatewayVerdict(doc, stored.get(doc._id)));
  // Documents the gateway refused vouch for nothing: the rules judge the rest.
  const judged = batch.flatMap((doc, i) => (verdicts[i] ? [] : [i]));
  const docs = judged.map((i) => batch[i]!);
  const facts = await rules.writeFacts(docs, stored, context, deps.couch.query(scope.db));
  rules.checkWrites(docs, stored, context, facts).forEach((verdict, k) => { verdicts[judged[k]!] = verdict; });
  const accepted = batch.filter((_doc, i) => verdicts[i] === undefined);
  const written = accepted.length > 0
    ? (await deps.couch.request(scope.db, 'POST', '_bulk_docs', undefined, { docs: accepted, new_edits: newEdits })) as Array<Record<string, unknown>>
    : [];
  scope.log.docs = accepted.length;
  const forbidden = verdicts.flatMap((v) => (v ? [{ id: v.docId, error: 'forbidden', reason: v.reason }] : []));
  if (!newEdits) { sendJson(res, 201, [...written, ...forbidden]); return; }
  // With new_edits the answer lists every doc in the order sent.
  const byIndex: Array<Record<string, unknown>> = [];
  let next = 0;
  for (const verdict of verdicts) byIndex.push(verdict ? { id: verdict.docId, error: 'forbidden', reason: verdict.reason } : written[next++] ?? {});
  sendJson(res, 201, byIndex);
}
