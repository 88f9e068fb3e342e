/**
 * The model: who is assigned where, and every write made on a device, each with its content. What a
 * user may see is never stored: it is computed from the server's documents and the assignments by the
 * pure CHT rules (the same functions the gateway runs, fed with a context built here from the
 * documents alone, without views).
 */
import { chtAccessRules } from '../../lib/cht/rules.js';
import type { ChtContext } from '../../lib/cht/context.js';
import { parentIds, shortcodeOf } from '../../lib/cht/keys.js';
import { isContact } from '../../lib/lineage/shapes.js';
import type { AnyDoc, Forbidden, RulesQuery } from '../../lib/sync/rules.js';
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
  return { userId: `org.couchdb.user:${user.name}`, facilityIds: [...facilities], contactId: user.contactId, depth: -1, contacts, privateReports: [] };
}

/** True when the user may hold this server document. */
export function visibleTo(context: ChtContext, doc: AnyDoc): boolean {
  const keys = new Set(rules.readableKeys(context));
  return rules.replicationKeys(doc).some((key) => keys.has(key));
}

/**
 * The server's documents seen through what the rules may ask of a database: `contact_keys` (each
 * contact under its id and its shortcode) and documents by id, as the installed views answer them.
 */
function queryOver(stored: ReadonlyMap<string, AnyDoc>): RulesQuery {
  return {
    viewByKeys: (view, keys) => {
      if (view !== 'contact_keys') return Promise.reject(new Error(`the model answers no view ${view}`));
      const wanted = new Set(keys);
      const rows: Array<{ id: string; key: unknown; value: unknown }> = [];
      for (const doc of stored.values()) {
        if (!isContact(doc) || doc._deleted) continue;
        const code = shortcodeOf(doc);
        for (const key of code && code !== doc._id ? [doc._id, code] : [doc._id]) if (wanted.has(key)) rows.push({ id: doc._id, key, value: null });
      }
      return Promise.resolve(rows);
    },
    getMany: (ids) => Promise.resolve(new Map(ids.flatMap((id) => {
      const doc = stored.get(id);
      return doc && !doc._deleted ? [[id, doc] as const] : [];
    }))),
    hasRows: () => Promise.resolve(false),
  };
}

/** The gateway's verdict on a push of `pending` by this user, as the pure rules give it. */
export async function verdicts(
  pending: readonly AnyDoc[], stored: ReadonlyMap<string, AnyDoc>, context: ChtContext,
): Promise<Map<string, Forbidden | undefined>> {
  const current = new Map(pending.flatMap((doc) => {
    const found = stored.get(doc._id);
    return found && !found._deleted ? [[doc._id, found] as const] : [];
  }));
  const facts = await rules.writeFacts(pending, current, context, queryOver(stored));
  const answer = rules.checkWrites(pending, current, context, facts);
  return new Map(pending.map((doc, i) => [doc._id, answer[i]] as const));
}

/** The latest write of each document on each device: earlier ones were replaced by the app itself. */
export function latestWrites(writes: readonly LocalWrite[]): LocalWrite[] {
  const latest = new Map<string, LocalWrite>();
  for (const w of writes) latest.set(`${w.device}\u0000${w.id}`, w);
  return [...latest.values()];
}
