/**
 * The CHT write check for one push, in time linear in its size: every document is judged once against
 * the user's context, the facts looked up for the push, and the contacts of the same push that are
 * accepted themselves (each contact is decided once, parents first, so a refused contact never
 * vouches for anything and nothing is re-checked).
 */
import { isContact } from '../lineage/shapes.js';
import { privateVisible, readableKeys, sensitiveSubjects } from './context.js';
import type { ChtContext } from './context.js';
import { needsSignoff } from './facts.js';
import type { ChtFacts } from './facts.js';
import {
  authorChainIds, chtReplicationKeys, isPublicDoc, isSafeShortcode, parentIds, privateFiling, shortcodeOf,
} from './keys.js';
import { USER_ID_PREFIX } from '../codecs/ids.js';
import type { PublicDocs } from './keys.js';
import type { AnyDoc, Forbidden, StoredDocs } from '../sync/rules.js';

function forbid(doc: AnyDoc, reason: string): Forbidden {
  return { kind: 'forbidden', docId: doc._id, reason };
}

function sameField(a: AnyDoc, b: AnyDoc, key: string): boolean {
  return JSON.stringify(a[key]) === JSON.stringify(b[key]);
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

const OUTSIDE = 'the contact would be placed outside your area';

/** Everything one push is judged against, computed once. */
interface Judge {
  readonly context: ChtContext;
  readonly facts: ChtFacts;
  readonly stored: StoredDocs;
  readonly publicDocs: PublicDocs;
  readonly keys: ReadonlySet<string>;
  readonly sensitive: ReadonlySet<string>;
}

/** A doc at an `org.couchdb.user:` id or of type user-settings: only the user's own, edited, never re-typed. */
function checkUserSettings(doc: AnyDoc, stored: AnyDoc | undefined, context: ChtContext): Forbidden | undefined {
  if (doc._id !== context.userId) return forbid(doc, 'users write only their own user-settings');
  if (stored?.type !== 'user-settings') return forbid(doc, 'user-settings are created by admins');
  if (doc._deleted) return forbid(doc, 'user-settings are deleted by admins');
  if (doc.type !== 'user-settings') return forbid(doc, 'user-settings stay user-settings');
  const changed = ['name', 'roles', 'facility_id', 'contact_id'].find((key) => !sameField(doc, stored, key));
  return changed ? forbid(doc, `only admins change ${changed}`) : undefined;
}

/** Ids that name a user (`task~<user>~...`, `target~<period>~<owner>~<user>`) belong to that user (and owner). */
function checkNamedId(doc: AnyDoc, context: ChtContext): Forbidden | undefined {
  const parts = doc._id.split('~');
  if (parts.length < 2) return undefined;
  if (parts[0] === 'task' && parts[1] !== context.userId) return forbid(doc, `a task id names its user: ${doc._id} is not yours`);
  if (parts[0] === 'target') {
    const user = parts.length >= 4 ? parts[parts.length - 1] : undefined;
    const owner = parts.slice(2, -1).join('~');
    if (user !== context.userId || owner !== context.contactId) return forbid(doc, `a target id names its user and owner: ${doc._id} is not yours`);
    if (!doc._deleted && (doc.user !== user || doc.owner !== owner)) return forbid(doc, 'a target names the user and owner of its id');
  }
  return undefined;
}

function storedVisible(stored: AnyDoc, judge: Judge): boolean {
  const has = (key: string): boolean => judge.keys.has(key);
  if (privateFiling(stored)) return privateVisible(stored, has, judge.sensitive);
  return chtReplicationKeys(stored, judge.publicDocs).some(has);
}

/**
 * What can be judged from the document, its stored version and the context alone: a refusal, `true`
 * when nothing more is needed (a deletion of a visible doc), or undefined to go on.
 */
function ownVerdict(doc: AnyDoc, judge: Judge): Forbidden | true | undefined {
  const { context, publicDocs } = judge;
  const stored = judge.stored.get(doc._id);
  if (doc._id.startsWith('_design/')) return forbid(doc, 'design documents are written by admins');
  if (doc._id.startsWith('_')) return forbid(doc, 'ids starting with _ are reserved');
  if (doc.purged === true) return forbid(doc, 'a document purged on a device is never written to the server');
  if (isPublicDoc(doc, publicDocs) || (stored && isPublicDoc(stored, publicDocs))) return forbid(doc, `only admins write ${doc._id}`);
  if (doc._id.startsWith(USER_ID_PREFIX) || doc.type === 'user-settings' || stored?.type === 'user-settings') {
    return checkUserSettings(doc, stored, context) ?? true;
  }
  const named = checkNamedId(doc, context);
  if (named) return named;
  for (const version of [doc, stored]) {
    if (version?.type === 'task' && version.user !== context.userId) return forbid(doc, `a task of ${String(version.user)} is not yours`);
    if (version?.type === 'target' && version.user !== context.userId) return forbid(doc, `a target of ${String(version.user)} is not yours`);
  }
  if (context.facilityIds.includes(doc._id)) return forbid(doc, 'users do not edit their own facility');
  if (stored && !storedVisible(stored, judge)) return forbid(doc, 'the stored document is not visible to you');
  // A deletion carries no content: the stored version decides.
  if (doc._deleted && stored) return true;
  if (chtReplicationKeys(doc, publicDocs).length === 0) return forbid(doc, `documents of type ${String(doc.type)} are not synced`);
  return undefined;
}

/** Which contact ids claim each id and shortcode in this push. */
function claimsOf(docs: readonly AnyDoc[], contacts: readonly number[]): Map<string, Set<string>> {
  const claims = new Map<string, Set<string>>();
  const claim = (key: string, id: string): void => {
    const set = claims.get(key) ?? new Set<string>();
    set.add(id);
    claims.set(key, set);
  };
  for (const i of contacts) {
    const doc = docs[i]!;
    claim(doc._id, doc._id);
    const code = shortcodeOf(doc);
    if (code) claim(code, doc._id);
  }
  return claims;
}

/** A contact may not take an id or shortcode another contact holds, on the server or in the same push. */
function checkClaims(doc: AnyDoc, judge: Judge, claims: ReadonlyMap<string, ReadonlySet<string>>): Forbidden | undefined {
  const stored = judge.stored.get(doc._id);
  const code = shortcodeOf(doc);
  if (code !== undefined && !isSafeShortcode(code)) return forbid(doc, `${code} cannot be a shortcode`);
  const others = (holders: ReadonlySet<string> | undefined): boolean => holders !== undefined && holders.size > (holders.has(doc._id) ? 1 : 0);
  const othersHold = (key: string, known: boolean): boolean => others(claims.get(key)) || (!known && others(judge.facts.holders.get(key)));
  // A key the stored version already had is not claimed anew.
  if (othersHold(doc._id, stored !== undefined)) return forbid(doc, `the id ${doc._id} is another contact's shortcode`);
  if (code !== undefined && othersHold(code, stored !== undefined && shortcodeOf(stored) === code)) {
    return forbid(doc, `the shortcode ${code} is taken by another contact`);
  }
  return undefined;
}

/** Checks every document of a push; see {@link AccessRules.checkWrites}. */
export function checkWrites(
  docs: readonly AnyDoc[], stored: StoredDocs, context: ChtContext, facts: ChtFacts, publicDocs: PublicDocs,
): Array<Forbidden | undefined> {
  const keys = readableKeys(context);
  const judge: Judge = { context, facts, stored, publicDocs, keys, sensitive: sensitiveSubjects(context) };
  const own = docs.map((doc) => ownVerdict(doc, judge));
  const verdicts: Array<Forbidden | undefined> = own.map((v) => (v === true ? undefined : v));
  const visibleContacts = new Set(Object.keys(context.contacts));
  // Contacts of the push still to judge, by id (a push may carry several revisions of one id).
  const contacts = docs.flatMap((doc, i) => (own[i] === undefined && isContact(doc) && !doc._deleted ? [i] : []));
  const versions = new Map<string, number[]>();
  for (const i of contacts) {
    const list = versions.get(docs[i]!._id);
    if (list) list.push(i);
    else versions.set(docs[i]!._id, [i]);
  }
  const claims = claimsOf(docs, contacts);
  // Per pushed contact id: 0 to judge, 1 being judged (its parents first), 2 judged; and its version
  // that will stand (the last accepted one), if any.
  const state = new Map<string, number>();
  const standing = new Map<string, AnyDoc>();

  const place = (doc: AnyDoc): Forbidden | undefined => {
    const claimed = checkClaims(doc, judge, claims);
    if (claimed) return claimed;
    const chain = parentIds(doc);
    const parent = chain[0];
    if (!parent) return forbid(doc, OUTSIDE);
    const pushed = standing.get(parent);
    if (!pushed && !visibleContacts.has(parent)) return forbid(doc, OUTSIDE);
    // The parent as it will be: its accepted version in this push, else as stored.
    const parentDoc = pushed ?? stored.get(parent) ?? facts.contacts.get(parent);
    if (!parentDoc || !sameIds(parentIds(parentDoc), chain.slice(1))) return forbid(doc, `the lineage above ${parent} is not ${parent}'s own`);
    if (context.depth < 0) return undefined;
    const level = chain.findIndex((id) => context.facilityIds.includes(id));
    return level >= 0 && level + 1 <= context.depth ? undefined : forbid(doc, OUTSIDE);
  };

  // Parents before children, without recursion; an id met again while its parents are judged is a loop,
  // and a parent in a loop vouches for nothing.
  for (const start of versions.keys()) {
    const stack = [start];
    while (stack.length > 0) {
      const id = stack[stack.length - 1]!;
      if (state.get(id) === 2) { stack.pop(); continue; }
      const mine = versions.get(id) ?? [];
      if (state.get(id) === undefined) {
        state.set(id, 1);
        const parents = mine.map((i) => parentIds(docs[i]!)[0]).filter((p): p is string => p !== undefined && versions.has(p) && !state.has(p));
        if (parents.length > 0) { stack.push(...parents); continue; }
      }
      for (const i of mine) {
        verdicts[i] = place(docs[i]!);
        if (verdicts[i] === undefined) standing.set(id, docs[i]!);
      }
      state.set(id, 2);
      stack.pop();
    }
  }

  // Keys the accepted contacts of this push add for the rest of it.
  const pushedKeys = new Set<string>();
  for (const i of contacts) {
    if (verdicts[i] !== undefined) continue;
    const doc = docs[i]!;
    pushedKeys.add(doc._id);
    const code = shortcodeOf(doc);
    if (code && isSafeShortcode(code)) pushedKeys.add(code);
  }
  const has = (key: string): boolean => keys.has(key) || pushedKeys.has(key);
  docs.forEach((doc, i) => {
    if (own[i] !== undefined || (isContact(doc) && !doc._deleted)) return;
    verdicts[i] = checkOther(doc, judge, has, (id) => standing.get(id) ?? stored.get(id) ?? facts.contacts.get(id), visibleContacts);
  });
  return verdicts;
}

/** A report, task or target (or a contact deletion without a stored version): visible as sent. */
function checkOther(
  doc: AnyDoc, judge: Judge, has: (key: string) => boolean, contactOf: (id: string) => AnyDoc | undefined, visibleContacts: ReadonlySet<string>,
): Forbidden | undefined {
  const visible = privateFiling(doc) ? privateVisible(doc, has, judge.sensitive) : chtReplicationKeys(doc, judge.publicDocs).some(has);
  if (!visible) return forbid(doc, 'the document would not be visible to you');
  if (!needsSignoff(doc)) return undefined;
  // Filed under its author's hierarchy too: the author must be a contact the user sees, with its own lineage.
  const [author, ...above] = authorChainIds(doc);
  const authorDoc = author !== undefined && (visibleContacts.has(author) || has(author)) ? contactOf(author) : undefined;
  if (!authorDoc || !isContact(authorDoc)) return forbid(doc, 'a report that needs signoff names an author you see');
  return sameIds(parentIds(authorDoc), above) ? undefined : forbid(doc, `the lineage of the author is not ${String(author)}'s own`);
}
