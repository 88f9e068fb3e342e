/**
 * CHT access rules: a user sees the contacts of their facilities down to a depth set per role, the
 * reports about those contacts (or written by them when a report has no subject), their own tasks and
 * user-settings, the targets of contacts they see, and public docs. Writes must be visible to the
 * writer both as stored and as sent, so nobody takes a document by rewriting its lineage or owner.
 */
import { chtDesignDoc, CHT_DESIGN_ID } from './design.js';
import {
  chtReplicationKeys, DEFAULT_PUBLIC_DOCS, isPublicDoc, parentIds, PUBLIC_KEY, shortcodeOf, settingsIdOf,
} from './keys.js';
import type { PublicDocs } from './keys.js';
import { isContact } from '../lineage/shapes.js';
import type { AccessRules, AnyDoc, Forbidden, RulesQuery, SyncUser } from '../sync/rules.js';

/** Options of {@link chtAccessRules}. */
export interface ChtRulesOptions {
  /**
   * How many levels below each facility a role sees (0: the facility only); the largest among a
   * user's roles wins; a negative number means no limit. Roles not listed use `defaultDepth`.
   */
  readonly depthByRole?: Readonly<Record<string, number>>;
  /** Depth for roles not in `depthByRole` (default: no limit). */
  readonly defaultDepth?: number;
  /** Documents everybody reads and only admins write. */
  readonly publicDocs?: PublicDocs;
}

/** What the CHT rules know about one user for one request: plain data. */
export interface ChtContext {
  readonly userId: string;
  readonly facilityIds: readonly string[];
  readonly contactId: string | undefined;
  readonly depth: number;
  /** Visible contact ids, each with its shortcode when it has one. */
  readonly contacts: Readonly<Record<string, string | null>>;
}

function asIds(value: unknown): string[] {
  if (typeof value === 'string' && value !== '') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

function depthOf(user: SyncUser, options: ChtRulesOptions): number {
  const fallback = options.defaultDepth ?? -1;
  const depths = user.roles.map((role) => options.depthByRole?.[role] ?? fallback);
  if (depths.length === 0) return fallback;
  return depths.some((d) => d < 0) ? -1 : Math.max(...depths);
}

async function buildContext(user: SyncUser, query: RulesQuery, options: ChtRulesOptions): Promise<ChtContext> {
  const userId = settingsIdOf(user.name);
  const settings = (await query.getMany([userId])).get(userId);
  const facilityIds = asIds(settings?.facility_id);
  const contactId = asIds(settings?.contact_id)[0];
  const depth = depthOf(user, options);
  const keys: unknown[] = [];
  for (const facility of facilityIds) {
    if (depth < 0) keys.push([facility]);
    else for (let d = 0; d <= depth; d++) keys.push([facility, d]);
  }
  if (contactId) keys.push([contactId, 0]);
  const rows = keys.length > 0 ? await query.viewByKeys('contacts_by_depth', keys) : [];
  const contacts: Record<string, string | null> = {};
  for (const row of rows) contacts[row.id] = typeof row.value === 'string' ? row.value : null;
  return { userId, facilityIds, contactId, depth, contacts };
}

function readable(context: ChtContext): Set<string> {
  const keys = new Set<string>([PUBLIC_KEY, context.userId]);
  for (const [id, shortcode] of Object.entries(context.contacts)) {
    keys.add(id);
    if (shortcode) keys.add(shortcode);
  }
  return keys;
}

/** True when a contact's parent is visible and, with a depth limit, it stays within that depth. */
function placedWithin(doc: AnyDoc, context: ChtContext, visibleKeys: ReadonlySet<string>): boolean {
  const chain = parentIds(doc);
  const parent = chain[0];
  if (!parent || !visibleKeys.has(parent)) return false;
  if (context.depth < 0) return true;
  const level = chain.findIndex((id) => context.facilityIds.includes(id));
  return level >= 0 && level + 1 <= context.depth;
}

/** Adds the contacts of a pushed batch that hang under a visible parent, until nothing changes. */
function withBatchContacts(context: ChtContext, keys: Set<string>, batch: readonly AnyDoc[]): Set<string> {
  const extended = new Set(keys);
  const pending = batch.filter((doc) => isContact(doc) && !doc._deleted && !extended.has(doc._id));
  let grew = true;
  while (grew) {
    grew = false;
    for (const doc of pending) {
      if (extended.has(doc._id) || !placedWithin(doc, context, extended)) continue;
      extended.add(doc._id);
      const shortcode = shortcodeOf(doc);
      if (shortcode) extended.add(shortcode);
      grew = true;
    }
  }
  return extended;
}

function forbid(doc: AnyDoc, reason: string): Forbidden {
  return { kind: 'forbidden', docId: doc._id, reason };
}

function sameField(a: AnyDoc, b: AnyDoc, key: string): boolean {
  return JSON.stringify(a[key]) === JSON.stringify(b[key]);
}

function checkUserSettings(doc: AnyDoc, stored: AnyDoc | undefined, context: ChtContext): Forbidden | undefined {
  if (doc._id !== context.userId) return forbid(doc, 'users write only their own user-settings');
  if (!stored) return forbid(doc, 'user-settings are created by admins');
  if (doc._deleted) return forbid(doc, 'user-settings are deleted by admins');
  const changed = ['name', 'roles', 'facility_id', 'contact_id'].find((key) => !sameField(doc, stored, key));
  return changed ? forbid(doc, `only admins change ${changed}`) : undefined;
}

function checkWrite(
  doc: AnyDoc, stored: AnyDoc | undefined, context: ChtContext, batch: readonly AnyDoc[], publicDocs: PublicDocs,
): Forbidden | undefined {
  if (doc._id.startsWith('_design/')) return forbid(doc, 'design documents are written by admins');
  if (doc.purged === true) return forbid(doc, 'a document purged on a device is never written to the server');
  if (isPublicDoc(doc, publicDocs) || (stored && isPublicDoc(stored, publicDocs))) return forbid(doc, `only admins write ${doc._id}`);
  if (doc.type === 'user-settings' || stored?.type === 'user-settings') return checkUserSettings(doc, stored, context);
  if (doc.type === 'task' && doc.user !== context.userId) return forbid(doc, `a task of ${String(doc.user)} is not yours`);
  if (stored?.type === 'task' && stored.user !== context.userId) return forbid(doc, `a task of ${String(stored.user)} is not yours`);
  if (context.facilityIds.includes(doc._id)) return forbid(doc, 'users do not edit their own facility');
  const keys = readable(context);
  if (stored) {
    const storedKeys = chtReplicationKeys(stored, publicDocs);
    if (!storedKeys.some((k) => keys.has(k))) return forbid(doc, 'the stored document is not visible to you');
  }
  // A deletion carries no content: the stored version decides.
  if (doc._deleted && stored) return undefined;
  const docKeys = chtReplicationKeys(doc, publicDocs);
  if (docKeys.length === 0) return forbid(doc, `documents of type ${String(doc.type)} are not synced`);
  const extended = withBatchContacts(context, keys, batch);
  // A contact is filed under its own id, so its new place is judged by its new lineage.
  if (isContact(doc)) return placedWithin(doc, context, extended) ? undefined : forbid(doc, 'the contact would be placed outside your area');
  return docKeys.some((k) => extended.has(k)) ? undefined : forbid(doc, 'the document would not be visible to you');
}

/** The CHT access rules, for the sync gateway and for a client predicting a rejection. */
export function chtAccessRules(options: ChtRulesOptions = {}): AccessRules<ChtContext> {
  const publicDocs = options.publicDocs ?? DEFAULT_PUBLIC_DOCS;
  return {
    designDocId: CHT_DESIGN_ID,
    designDoc: () => chtDesignDoc(publicDocs),
    replicationKeys: (doc) => chtReplicationKeys(doc, publicDocs),
    context: (user, query) => buildContext(user, query, options),
    readableKeys: (context) => [...readable(context)],
    checkWrite: (doc, stored, context, batch) => checkWrite(doc, stored, context, batch, publicDocs),
  };
}
