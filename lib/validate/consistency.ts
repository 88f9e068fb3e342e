/**
 * Cross-document rules a codec cannot see, checked over a whole database read page by page:
 * a contact's parent must exist, a contact's stored lineage must agree with its parent's own
 * lineage, a report's author contact must exist, and no two user-settings may claim one user.
 * Only ids are kept between pages (never whole documents), so memory grows with the number of
 * contacts, not with the size of the database.
 */
import { chainIds, CONTACT_TYPES, isObject } from '../lineage/shapes.js';

/** One cross-document problem. */
export type ConsistencyProblem =
  | { readonly kind: 'missing-parent'; readonly docId: string; readonly parentId: string }
  | { readonly kind: 'lineage-mismatch'; readonly docId: string; readonly parentId: string; readonly stored: readonly string[]; readonly parentLineage: readonly string[] }
  | { readonly kind: 'missing-contact'; readonly docId: string; readonly contactId: string }
  | { readonly kind: 'duplicate-user-settings'; readonly name: string; readonly docIds: readonly string[] };

/** Collects what the rules need from each document, then reports every problem at once. */
export interface ConsistencyChecker {
  /** Feeds one stored document (any kind; unrelated ones are ignored). */
  add(doc: unknown): void;
  /** Every problem found, in a stable order (by rule, then document id). */
  problems(): readonly ConsistencyProblem[];
}


/** Ids of a minified lineage, nearest first: `{_id: a, parent: {_id: b}}` gives `[a, b]`. */
export function lineageIds(ref: unknown, limit = 100): string[] {
  return chainIds(ref, limit);
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** Creates an empty checker. */
export function createConsistencyChecker(): ConsistencyChecker {
  const contactLineage = new Map<string, string[]>();
  const reportAuthors: Array<{ docId: string; contactId: string }> = [];
  const settingsByName = new Map<string, string[]>();

  return {
    add(doc) {
      if (!isObject(doc) || typeof doc['_id'] !== 'string' || doc['_deleted'] === true) return;
      const id = doc['_id'];
      const type = doc['type'];
      if (typeof type === 'string' && CONTACT_TYPES.has(type)) {
        contactLineage.set(id, lineageIds(doc['parent']));
      } else if (type === 'data_record') {
        const author = lineageIds(doc['contact'])[0];
        if (author !== undefined) reportAuthors.push({ docId: id, contactId: author });
      } else if (type === 'user-settings') {
        const name = typeof doc['name'] === 'string' ? doc['name'] : id.replace(/^org\.couchdb\.user:/, '');
        settingsByName.set(name, [...(settingsByName.get(name) ?? []), id]);
      }
    },
    problems() {
      const found: ConsistencyProblem[] = [];
      for (const [docId, lineage] of [...contactLineage].sort(([a], [b]) => a.localeCompare(b))) {
        const parentId = lineage[0];
        if (parentId === undefined) continue;
        const parentLineage = contactLineage.get(parentId);
        if (parentLineage === undefined) {
          found.push({ kind: 'missing-parent', docId, parentId });
        } else if (!sameIds(lineage.slice(1), parentLineage)) {
          found.push({ kind: 'lineage-mismatch', docId, parentId, stored: lineage.slice(1), parentLineage });
        }
      }
      for (const { docId, contactId } of [...reportAuthors].sort((a, b) => a.docId.localeCompare(b.docId))) {
        if (!contactLineage.has(contactId)) found.push({ kind: 'missing-contact', docId, contactId });
      }
      for (const [name, docIds] of [...settingsByName].sort(([a], [b]) => a.localeCompare(b))) {
        if (docIds.length > 1) found.push({ kind: 'duplicate-user-settings', name, docIds: [...docIds].sort() });
      }
      return found;
    },
  };
}
