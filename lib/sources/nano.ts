/** {@link DocSource} over nano (Node, against CouchDB): the server-side twin of the PouchDB adapter. */
import { toFetchResult, toShortcodeMap } from './pouchdb.js';
import { isNotFound, lineageKeys, missingIndexError, SHORTCODE_DESIGN_ID, shortcodeDesignDoc, toContactLookup } from './shortcode-index.js';
import type { DocSource, MutableStats } from './types.js';

/**
 * The part of a nano database (`nano.use(name)`) this adapter uses. Declared here so fieldsync's
 * types never pull in nano's (and through them undici's) declarations.
 */
export interface NanoDbLike {
  fetch(body: { keys: string[] }): Promise<{ rows: readonly unknown[] }>;
  view(design: string, view: string, params: { keys: unknown[]; include_docs: true }): Promise<{ rows: ReadonlyArray<{ key: unknown; value?: unknown; doc?: unknown }> }>;
  get(id: string): Promise<unknown>;
  insert(doc: object): Promise<unknown>;
}

/** Creates a {@link DocSource} over a nano database. */
export function nanoSource(db: NanoDbLike): DocSource {
  const stats: MutableStats = { requests: 0, docsRead: 0 };
  return {
    stats,
    async getMany(ids) {
      if (ids.length === 0) return { found: new Map(), deleted: new Set() };
      stats.requests += 1;
      const response = await db.fetch({ keys: [...ids] });
      const result = toFetchResult(response.rows as unknown as ReadonlyArray<{ key: string; value?: { deleted?: boolean }; doc?: unknown }>);
      stats.docsRead += result.found.size;
      return result;
    },
    async findByShortcodes(codes) {
      if (codes.length === 0) return new Map();
      stats.requests += 1;
      const response = await db.view('fieldsync-lineage', 'contacts_by_shortcode', { keys: [...codes], include_docs: true }).catch((err: unknown) => {
        throw missingIndexError(err);
      });
      const byCode = toShortcodeMap(response.rows);
      stats.docsRead += byCode.size;
      return byCode;
    },
    async findContacts(ids, codes) {
      if (ids.length === 0 && codes.length === 0) return { found: new Map(), byShortcode: new Map() };
      stats.requests += 1;
      const response = await db.view('fieldsync-lineage', 'contacts_by_ref', { keys: lineageKeys(ids, codes), include_docs: true }).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      if (!response) return undefined;
      const lookup = toContactLookup(response.rows, codes);
      stats.docsRead += lookup.found.size;
      return lookup;
    },
  };
}

/** Installs (or updates) the shortcode and lineage views through nano (admin credentials needed on CouchDB). */
export async function installShortcodeIndexNano(db: NanoDbLike): Promise<void> {
  const wanted = shortcodeDesignDoc();
  const current = await db.get(SHORTCODE_DESIGN_ID).catch(() => undefined) as ({ _rev: string; views?: unknown } | undefined);
  if (current && JSON.stringify(current.views) === JSON.stringify(wanted.views)) return;
  await db.insert(current ? { ...wanted, _rev: current._rev } : wanted);
}
