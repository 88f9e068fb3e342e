/**
 * The model: who is assigned where, and every write made on a device, each with its content. What a
 * user may see is never stored: it is computed from the server's documents and the assignments by the
 * pure CHT rules (the same functions the gateway runs, fed with a context built here from the
 * documents alone, without views).
 */
import { chtAccessRules } from '../../lib/cht/rules.js';
import type { ChtContext } from '../../lib/cht/rules.js';
import { parentIds, shortcodeOf } from '../../lib/cht/keys.js';
import { isContact } from '../../lib/lineage/shapes.js';
import type { AnyDoc, Forbidden } from '../../lib/sync/rules.js';
import type { ModelUser, UserKey } from './world.js';

/** One write made by the app on a device. */
export interface LocalWrite {
  readonly device: number;
  readonly id: string;
  readonly rev: string;
  /** The content written (no `_rev`), or a deletion. */
  readonly body: Readonly<Record<string, unknown>>;
  readonly deleted: boolean;
  /** A unique value in the content, to find it in a quarantine. */
  readonly marker: string;
}

/** What the test believes the world should be. */
export interface Model {
  /** Facilities of each user, as the admin last set them. */
  readonly assignments: Record<UserKey, string[]>;
  readonly writes: LocalWrite[];
  /** Counter for unique ids and markers. */
  next: number;
  gatewayDown: boolean;
}

const rules = chtAccessRules();

/** The user's access context computed from the documents alone. */
export function contextOf(user: ModelUser, facilities: readonly string[], docs: readonly AnyDoc[]): ChtContext {
  const contacts: Record<string, string | null> = {};
  for (const doc of docs) {
    if (!isContact(doc) || doc._deleted) continue;
    const chain = [doc._id, ...parentIds(doc)];
    if (chain.some((id) => facilities.includes(id)) || doc._id === user.contactId) contacts[doc._id] = shortcodeOf(doc) ?? null;
  }
  return { userId: `org.couchdb.user:${user.name}`, facilityIds: [...facilities], contactId: user.contactId, depth: -1, contacts };
}

/** True when the user may hold this server document. */
export function visibleTo(context: ChtContext, doc: AnyDoc): boolean {
  const keys = new Set(rules.readableKeys(context));
  return rules.replicationKeys(doc).some((key) => keys.has(key));
}

/**
 * The gateway's verdict on a push of `pending` by this user, as the pure rules give it: documents
 * lean only on others of the push that are accepted themselves.
 */
export function verdicts(pending: readonly AnyDoc[], stored: ReadonlyMap<string, AnyDoc>, context: ChtContext): Map<string, Forbidden | undefined> {
  let acceptable: readonly AnyDoc[] = pending;
  for (;;) {
    const answer = new Map(pending.map((doc) => [doc._id, rules.checkWrite(doc, stored.get(doc._id), context, acceptable)] as const));
    const next = pending.filter((doc) => answer.get(doc._id) === undefined);
    if (next.length === acceptable.length) return answer;
    acceptable = next;
  }
}

/** The latest write of each document on each device: earlier ones were replaced by the app itself. */
export function latestWrites(writes: readonly LocalWrite[]): LocalWrite[] {
  const latest = new Map<string, LocalWrite>();
  for (const w of writes) latest.set(`${w.device}\u0000${w.id}`, w);
  return [...latest.values()];
}
