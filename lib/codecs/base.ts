/**
 * What every stored record has (`_id`, optional `_rev`, and `_deleted`, `_attachments`,
 * `_conflicts` where CouchDB puts them), and the numeric timestamp of user-created documents.
 * Classic io-ts `t.type`/`t.partial` only: they keep properties they do not name, so
 * `encode(decode(doc))` is the document itself.
 */
import * as t from 'io-ts';
import { intersection, record } from './combinators.js';
import { DocId } from './ids.js';

/** A millisecond timestamp (`reported_date`, `authoredOn`, `updated_date`): a finite number. */
export const Timestamp = new t.Type<number, number, unknown>(
  'Timestamp (ms number)',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => (typeof u === 'number' && Number.isFinite(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);
/** A millisecond timestamp. */
export type Timestamp = t.TypeOf<typeof Timestamp>;

/** Node's Buffer where Node's types are loaded, else nothing (the browser entry names no Node type). */
type NodeBuffer = typeof globalThis extends { Buffer: { alloc: (...args: never[]) => infer B } } ? B : never;

/** Inline attachment content: base64 text in JSON, a Blob (browsers) or a Buffer (Node) from PouchDB. */
const AttachmentData = new t.Type<string | Blob | NodeBuffer, string | Blob | NodeBuffer, unknown>(
  'AttachmentData (base64 string, Blob or Buffer)',
  (u): u is string | Blob | NodeBuffer => typeof u === 'string' || (typeof u === 'object' && u !== null),
  (u, c) => (typeof u === 'string' || (typeof u === 'object' && u !== null) ? t.success(u as string | Blob | NodeBuffer) : t.failure(u, c)),
  t.identity,
);

/** A stub: the attachment is stored, its content left out (`stub: true` with `digest` and `length`). */
const StubAttachment = intersection([
  t.type({ content_type: t.string, digest: t.string, length: t.number, stub: t.literal(true) }),
  t.partial({ revpos: t.number }),
], 'StubAttachment');

/** An inline attachment: its content in `data`. */
const InlineAttachment = intersection([
  t.type({ content_type: t.string, data: AttachmentData }),
  t.partial({ digest: t.string, length: t.number, revpos: t.number }),
], 'InlineAttachment');

/**
 * One attachment, as PouchDB types it: inline (`data`) or a stub (`stub: true` with `digest` and `length`), so a
 * decoded document can be given back to `put` and `bulkDocs`.
 */
export const Attachment = t.union([StubAttachment, InlineAttachment], 'Attachment');
/** One attachment. */
export type Attachment = t.TypeOf<typeof Attachment>;

/** `_attachments`: attachment name to attachment. */
export const Attachments = record(t.string, Attachment, 'Attachments');
/** `_attachments`: attachment name to attachment. */
export type Attachments = t.TypeOf<typeof Attachments>;

/** The CouchDB fields every stored record may carry besides `_id`. */
export const StoredFields = t.partial({
  _rev: t.string,
  _deleted: t.boolean,
  _attachments: Attachments,
  _conflicts: t.array(t.string),
}, 'StoredFields');
/** The CouchDB fields every stored record may carry besides `_id`. */
export type StoredFields = t.TypeOf<typeof StoredFields>;

/** Any stored record: `_id` plus the CouchDB fields. Other properties are kept, untyped. */
export const BaseDoc = intersection([t.type({ _id: DocId }), StoredFields], 'BaseDoc');
/** Any stored record. */
export type BaseDoc = t.TypeOf<typeof BaseDoc>;

/** A user-created record (contacts, reports): a base record with `type` and `reported_date`. */
export const UserCreatedDoc = intersection([BaseDoc, t.type({ type: t.string, reported_date: Timestamp })], 'UserCreatedDoc');
/** A user-created record. */
export type UserCreatedDoc = t.TypeOf<typeof UserCreatedDoc>;
