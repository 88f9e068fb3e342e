/**
 * What the CHT write check looks up about one push before judging it, in two queries whatever its
 * size: who already holds each id and shortcode the push's contacts claim (`contact_keys`), and the
 * stored parents and authors the push names but does not carry, whose lineage a pushed chain must copy.
 */
import { isContact } from '../lineage/shapes.js';
import { authorChainIds, parentIds, shortcodeOf } from './keys.js';
import type { ChtContext } from './context.js';
import type { AnyDoc, RulesQuery, StoredDocs } from '../sync/rules.js';

/** What the CHT write check knows about one push beyond the user's context. */
export interface ChtFacts {
  /** For each id or shortcode a pushed contact claims, the ids of the contacts holding it on the server. */
  readonly holders: ReadonlyMap<string, ReadonlySet<string>>;
  /** Stored visible contacts the push names as a parent or an author without carrying them. */
  readonly contacts: StoredDocs;
}

/** True for a report that is filed under its author's hierarchy too. */
export function needsSignoff(doc: AnyDoc): boolean {
  const fields = doc.fields;
  const value = typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>)['needs_signoff'] : undefined;
  return doc.type === 'data_record' && (value === true || value === 'true');
}

/** Looks up the facts of a push. */
export async function writeFacts(docs: readonly AnyDoc[], stored: StoredDocs, context: ChtContext, query: RulesQuery): Promise<ChtFacts> {
  const claimed = new Set<string>();
  const named = new Set<string>();
  for (const doc of docs) {
    if (doc._deleted) continue;
    if (isContact(doc)) {
      claimed.add(doc._id);
      const code = shortcodeOf(doc);
      if (code) claimed.add(code);
      const parent = parentIds(doc)[0];
      if (parent) named.add(parent);
    } else if (needsSignoff(doc)) {
      const author = authorChainIds(doc)[0];
      if (author) named.add(author);
    }
  }
  // Only contacts the user sees are read: a parent they cannot see refuses the push anyway.
  const wanted = [...named].filter((id) => !stored.has(id) && Object.hasOwn(context.contacts, id));
  const [rows, contacts] = await Promise.all([
    claimed.size > 0 ? query.viewByKeys('contact_keys', [...claimed]) : Promise.resolve([]),
    wanted.length > 0 ? query.getMany(wanted) : Promise.resolve(new Map<string, AnyDoc>()),
  ]);
  const holders = new Map<string, Set<string>>();
  for (const row of rows) {
    if (typeof row.key !== 'string') continue;
    const set = holders.get(row.key) ?? new Set<string>();
    set.add(row.id);
    holders.set(row.key, set);
  }
  return { holders, contacts };
}
