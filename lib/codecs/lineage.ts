/**
 * The two shapes of a contact's parent hierarchy. Stored documents hold the minified form
 * (`{ _id, parent: { _id, parent: … } }`); documents ready for use hold the hydrated form, where
 * every level is a full place document. Separate types, so the compiler tells them apart.
 */
import * as t from 'io-ts';
import { BaseDoc } from './base.js';
import { parentChain, record } from './combinators.js';
import { ContactId, DocId } from './ids.js';

// Recursive codecs need their static types written out (io-ts cannot infer a type from itself).

/** A minified parent level: the place's `_id` and, unless it is the top, its own parent. */
export interface MinifiedParent {
  readonly _id: ContactId;
  readonly parent?: MinifiedParent;
}
/** The JSON form of {@link MinifiedParent}. */
export interface MinifiedParentJson {
  readonly _id: string;
  readonly parent?: MinifiedParentJson;
}

/** A minified parent hierarchy, checked to the top. Extra properties at any level are kept. */
export const MinifiedParent: t.Type<MinifiedParent, MinifiedParentJson, unknown> = parentChain('MinifiedParent', t.type({ _id: ContactId }, 'MinifiedParent'));

/**
 * A reference to a contact as stored in a place's `contact` or a report's `contact`: the contact's
 * minified form (its `_id` and its parent hierarchy), or a bare id, which readers also accept.
 */
export const ContactRef = t.union([ContactId, MinifiedParent], 'ContactRef (contact id or { _id, parent })');
/** A stored reference to a contact. */
export type ContactRef = t.TypeOf<typeof ContactRef>;

/** The `_id` a {@link ContactRef} points at. */
export function contactRefId(ref: ContactRef): ContactId {
  return typeof ref === 'string' ? ref : ref._id;
}

/** The ids of a minified hierarchy, nearest first (`{_id: a, parent: {_id: b}}` gives `[a, b]`). */
export function minifiedIds(parent: MinifiedParent | undefined): ContactId[] {
  const ids: ContactId[] = [];
  for (let level = parent; level !== undefined; level = level.parent) ids.push(level._id);
  return ids;
}

/**
 * `linked_docs` as stored: a tag to the linked document's id (readers also accept `{ _id }`).
 * Anything other than an object here is ignored by readers, but it is still a malformed document.
 */
export const LinkedDocs = record(t.string, t.union([DocId, t.type({ _id: DocId })], 'DocId or { _id }'), 'LinkedDocs');
/** `linked_docs` as stored. */
export type LinkedDocs = t.TypeOf<typeof LinkedDocs>;

/** `linked_docs` hydrated: each tag to the full linked document (shallow, any kind). */
export const HydratedLinkedDocs = record(t.string, BaseDoc, 'HydratedLinkedDocs');
/** `linked_docs` hydrated. */
export type HydratedLinkedDocs = t.TypeOf<typeof HydratedLinkedDocs>;
