/**
 * Attachments in a pushed document: inline data is the device's own, but a stub (`{stub: true,
 * digest}`) asks the server to keep an attachment it already has. A stub is accepted only when the
 * stored version of the same document has an attachment of that name with that digest; otherwise it
 * would name content by digest alone (another user's attachment) or probe whether a digest exists.
 * Every refusal reads the same, so the answer tells nothing about other documents.
 */
import type { AnyDoc } from '../rules.js';

/** The one reason every refused attachment gets. */
export const ATTACHMENT_REFUSED = 'an attachment stub must name an attachment of the stored document, with its digest';

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Undefined when every attachment of `doc` is inline data or a stub of `stored`'s; else the reason. */
export function attachmentProblem(doc: AnyDoc, stored: AnyDoc | undefined): string | undefined {
  if (doc._attachments === undefined) return undefined;
  const attachments = record(doc._attachments);
  if (!attachments) return '_attachments must be an object';
  const storedAttachments = record(stored?._attachments);
  for (const [name, value] of Object.entries(attachments)) {
    const attachment = record(value);
    if (!attachment) return `attachment ${name} must be an object`;
    if (attachment['stub'] === true) {
      const digest = attachment['digest'];
      const kept = storedAttachments && Object.hasOwn(storedAttachments, name) ? record(storedAttachments[name]) : undefined;
      if (typeof digest !== 'string' || kept?.['digest'] !== digest) return ATTACHMENT_REFUSED;
      continue;
    }
    if (attachment['follows'] !== undefined || typeof attachment['data'] !== 'string') return 'an attachment must be inline data (base64) or a stub';
  }
  return undefined;
}
