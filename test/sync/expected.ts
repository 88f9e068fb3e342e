/** What a user should hold after a sync, computed from the data set alone (no server, no views). */
import type { SeedDoc, SeedUser } from '../../lib/seed/dataset.js';
import { isContact } from '../../lib/lineage/shapes.js';
import { chtReplicationKeys, shortcodeOf } from '../../lib/cht/keys.js';
import { lineageIds } from '../../lib/validate/consistency.js';

/** Ids of the docs `user` may hold, with their facility overridden when given. */
export function expectedIds(docs: readonly SeedDoc[], user: SeedUser, facilityId = user.facilityId): Set<string> {
  const keys = new Set<string>(['_all', `org.couchdb.user:${user.name}`]);
  for (const doc of docs) {
    if (!isContact(doc)) continue;
    const ancestry = [doc._id, ...lineageIds(doc['parent'])];
    if (ancestry.includes(facilityId) || doc._id === user.contactId) {
      keys.add(doc._id);
      const code = shortcodeOf(doc);
      if (code) keys.add(code);
    }
  }
  return new Set(docs.filter((doc) => chtReplicationKeys(doc).some((key) => keys.has(key))).map((doc) => doc._id));
}

/** Ids of a local database's documents (no design or local docs). */
export async function localIds(db: PouchDB.Database): Promise<Set<string>> {
  const { rows } = await db.allDocs();
  return new Set(rows.map((row) => row.id).filter((id) => !id.startsWith('_design/')));
}
