/**
 * What the CHT rules know about one user for one request, and the keys it lets them read: built from
 * the user's own user-settings doc (nothing else counts), one query of `contacts_by_depth` and one of
 * `private_reports`.
 */
import { isSafeShortcode, privateFiling, privateKeyOf, PUBLIC_KEY, settingsIdOf } from './keys.js';
import type { AnyDoc, RulesQuery, SyncUser } from '../sync/rules.js';

/** What the CHT rules know about one user for one request: plain data. */
export interface ChtContext {
  readonly userId: string;
  readonly facilityIds: readonly string[];
  readonly contactId: string | undefined;
  readonly depth: number;
  /** Visible contact ids, each with its shortcode when it has one. */
  readonly contacts: Readonly<Record<string, string | null>>;
  /** Ids of the private reports this user may read (see {@link privateFiling}). */
  readonly privateReports: readonly string[];
}

/** How the depth of a user is found from their roles. */
export interface DepthOptions {
  readonly depthByRole?: Readonly<Record<string, number>>;
  readonly defaultDepth?: number;
}

function asIds(value: unknown): string[] {
  if (typeof value === 'string' && value !== '') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

function depthOf(user: SyncUser, options: DepthOptions): number {
  const fallback = options.defaultDepth ?? -1;
  const depths = user.roles.map((role) => options.depthByRole?.[role] ?? fallback);
  if (depths.length === 0) return fallback;
  return depths.some((d) => d < 0) ? -1 : Math.max(...depths);
}

/** The keys of a user's contacts (ids and safe shortcodes), their own id and the public key. */
function subjectKeys(context: Omit<ChtContext, 'privateReports'>): Set<string> {
  const keys = new Set<string>([PUBLIC_KEY, context.userId]);
  for (const [id, shortcode] of Object.entries(context.contacts)) {
    keys.add(id);
    if (shortcode && isSafeShortcode(shortcode)) keys.add(shortcode);
  }
  return keys;
}

/** The user's own places and contact, with their shortcodes: private reports about them need a visible author. */
export function sensitiveSubjects(context: Pick<ChtContext, 'facilityIds' | 'contactId' | 'contacts'>): Set<string> {
  const own = [...context.facilityIds, ...(context.contactId ? [context.contactId] : [])];
  const subjects = new Set(own);
  for (const id of own) {
    const code = context.contacts[id];
    if (code) subjects.add(code);
  }
  return subjects;
}

/**
 * True when a private report is visible to a user with the given subjects: through any of its keys,
 * except when its subject is the user's own place or contact, then only if the user sees its author.
 */
export function privateVisible(doc: AnyDoc, has: (key: string) => boolean, sensitive: ReadonlySet<string>): boolean {
  const filing = privateFiling(doc);
  if (!filing) return false;
  if (sensitive.has(filing.subject)) return has(filing.submitter);
  return filing.keys.some(has);
}

/** Builds a user's context. Only a `user-settings` doc at `org.couchdb.user:<name>` places a user. */
export async function buildContext(user: SyncUser, query: RulesQuery, options: DepthOptions): Promise<ChtContext> {
  const userId = settingsIdOf(user.name);
  const found = (await query.getMany([userId])).get(userId);
  const settings = found?.type === 'user-settings' ? found : undefined;
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
  const base = { userId, facilityIds, contactId, depth, contacts };
  const subjects = subjectKeys(base);
  subjects.delete(PUBLIC_KEY);
  const sensitive = sensitiveSubjects(base);
  // Private reports are few: their own small view, asked for every subject of the user only when it has any.
  const privateRows = rows.length > 0 && await query.hasRows('private_reports') ? await query.viewByKeys('private_reports', [...subjects]) : [];
  const privateReports = new Set<string>();
  for (const row of privateRows) {
    const [subject, submitter] = Array.isArray(row.value) ? row.value as unknown[] : [];
    if (typeof subject !== 'string' || typeof submitter !== 'string') continue;
    if (!sensitive.has(subject) || subjects.has(submitter)) privateReports.add(row.id);
  }
  return { ...base, privateReports: [...privateReports] };
}

/** Every key a user may read. */
export function readableKeys(context: ChtContext): Set<string> {
  const keys = subjectKeys(context);
  for (const id of context.privateReports) keys.add(privateKeyOf(id));
  return keys;
}
