/**
 * `POST _bulk_docs`: every document of a push is checked by the database's rules against its stored
 * version; accepted ones are written, refused ones come back as `{id, error: 'forbidden', reason}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyDoc } from '../rules.js';
import type { GatewayCouch } from './couch.js';
import { GatewayError, prop, readJson, sendJson } from './http.js';
import type { RequestScope } from './scope.js';

/** What the endpoint needs from the gateway. */
export interface BulkDocsDeps {
  readonly couch: GatewayCouch;
  readonly bodyLimit: number;
  /** The user's access context, computed afresh. */
  freshContext(scope: RequestScope): Promise<unknown>;
}

/** Answers one `POST _bulk_docs`. */
export async function bulkDocs(scope: RequestScope, req: IncomingMessage, res: ServerResponse, deps: BulkDocsDeps): Promise<void> {
  const body = await readJson(req, deps.bodyLimit);
  const docs = prop(body, 'docs');
  if (!Array.isArray(docs) || !docs.every((d) => typeof prop(d, '_id') === 'string')) {
    throw new GatewayError(400, 'bad_request', 'expected {"docs": [...]} where every doc has an _id');
  }
  const newEdits = prop(body, 'new_edits') !== false;
  const batch = docs as AnyDoc[];
  const context = await deps.freshContext(scope);
  const { rules } = scope.served;
  const stored = new Map<string, AnyDoc>();
  for (const row of await deps.couch.allDocs(scope.db, batch.map((d) => d._id), true)) {
    if (row.doc && !row.deleted) stored.set(row.id, row.doc);
  }
  // A doc may lean on others of the same push (a report on a contact created with it), but only on
  // ones that are accepted themselves: drop the refused from the batch until nothing changes.
  let acceptable: readonly AnyDoc[] = batch;
  let verdicts = batch.map((doc) => rules.checkWrite(doc, stored.get(doc._id), context, acceptable));
  for (;;) {
    const next = batch.filter((_doc, i) => verdicts[i] === undefined);
    if (next.length === acceptable.length) break;
    acceptable = next;
    verdicts = batch.map((doc) => rules.checkWrite(doc, stored.get(doc._id), context, acceptable));
  }
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
