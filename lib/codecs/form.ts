/**
 * XML form definitions: `_id` `form:<name>`, `type: 'form'`, the XForm attached (as `xml`, or a
 * `*.xml` attachment other than the compiled `model.xml`).
 */
import * as t from 'io-ts';
import { Attachments, StoredFields } from './base.js';
import { intersection, withRules } from './combinators.js';
import { brandedString } from './ids.js';
import type { DocIdBrand } from './ids.js';

/** Brand of {@link FormId}. */
export interface FormIdBrand { readonly FormId: unique symbol }

const PREFIX = 'form:';

/** A form document id, `form:<name>`. Also a {@link DocId}. */
export const FormId = brandedString<DocIdBrand & FormIdBrand>('FormId (form:<name>)', (s) => s.startsWith(PREFIX) && s.length > PREFIX.length);
/** A form document id. */
export type FormId = t.TypeOf<typeof FormId>;

/** Builds `form:<name>`. */
export function formId(name: string): FormId {
  return `${PREFIX}${name}` as FormId;
}

/** The form name inside a form id, or `undefined` when `id` is not one. */
export function parseFormId(id: string): string | undefined {
  return FormId.is(id) ? id.slice(PREFIX.length) : undefined;
}

/** The name of the attachment holding the XForm: `xml`, else the first `*.xml` that is not `model.xml`. */
export function xformAttachmentName(attachments: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (attachments === undefined) return undefined;
  if (Object.hasOwn(attachments, 'xml')) return 'xml';
  return Object.keys(attachments).find((name) => name.endsWith('.xml') && name !== 'model.xml');
}

/** A form document. */
export const FormDoc = withRules(intersection([
  t.type({ _id: FormId, type: t.literal('form'), _attachments: Attachments }),
  t.partial({ internalId: t.string }),
  StoredFields,
], 'FormDoc'), (u) => {
  const attachments = u['_attachments'];
  if (typeof attachments !== 'object' || attachments === null || Array.isArray(attachments)) return [];
  return xformAttachmentName(attachments as Record<string, unknown>) === undefined
    ? [{ keys: ['_attachments', 'xml'], actual: undefined, expected: 'the XForm attachment (xml, or *.xml other than model.xml)' }]
    : [];
});
/** A form document. */
export type FormDoc = t.TypeOf<typeof FormDoc>;
