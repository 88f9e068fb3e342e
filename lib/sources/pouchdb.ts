/** {@link DocSource} over any PouchDB: IndexedDB in a browser, LevelDB or memory in Node, or HTTP. */
import { isNotFound, LINEAGE_VIEW, lineageKeys, missingIndexError, SHORTCODE_VIEW, shortcodeDesignDoc, toContactLookup } from './shortcode-index.js';
import type { DocSource, FetchResult, MutableStats, StoredDoc } from './types.js';

/** The part of a PouchDB database this adapter uses (any PouchDB satisfies it). */
export interface PouchLike {
  allDocs(options: { keys: string[]; include_docs: true }): Promise<{
    rows: ReadonlyArray<{ key: string; error?: string; value?: { rev: string; deleted?: boolean }; doc?: unknown }>;
  }>;
  query(view: string, options: { keys: unknown[]; include_docs: true }): Promise<{ rows: ReadonlyArray<{ key: unknown; value?: unknown; doc?: unknown }> }>;
  get(id: string): Promise<{ _rev: string } & Record<string, unknown>>;
  put(doc: Record<string, unknown>): Promise<unknown>;
  /** PouchDB's adapter name: `http` for a remote database. */
  readonly adapter?: string;
}

/** Options of {@link pouchSource}. */
export interface PouchSourceOptions {
  /**
   * Read through the lineage view (`findContacts`): 2 requests a batch instead of up to 4. Default:
   * for a remote database only. Locally a request is no round trip, and PouchDB reads a view's `keys`
   * one key at a time, slower than `allDocs` for as many ids.
   */
  readonly lineageView?: boolean;
}

/** Reads rows of `_all_docs?keys` into a {@link FetchResult}. */
export function toFetchResult(rows: ReadonlyArray<{ key: string; value?: { deleted?: boolean } | null; doc?: unknown }>): FetchResult {
  const found = new Map<string, StoredDoc>();
  const deleted = new Set<string>();
  for (const row of rows) {
    if (row.value?.deleted) deleted.add(row.key);
    else if (row.doc && typeof row.doc === 'object') found.set(row.key, row.doc as StoredDoc);
  }
  return { found, deleted };
}

/** Maps view rows keyed by shortcode to the contact each names (first one wins). */
export function toShortcodeMap(rows: ReadonlyArray<{ key: unknown; doc?: unknown }>): Map<string, StoredDoc> {
  const byCode = new Map<string, StoredDoc>();
  for (const row of rows) {
    if (typeof row.key === 'string' && row.doc && typeof row.doc === 'object' && !byCode.has(row.key)) {
      byCode.set(row.key, row.doc as StoredDoc);
    }
  }
  return byCode;
}

/**
 * Installs (or updates) the shortcode and lineage views on `db`. Call once per database (and again
 * after upgrading fieldsync): hydrating reports that name patients or places by shortcode needs it,
 * and with it a batch costs 2 requests instead of up to 4. It needs write access (admin on a CouchDB).
 */
export async function installShortcodeIndex(db: PouchLike): Promise<void> {
  const wanted = shortcodeDesignDoc();
  const current = await db.get(wanted._id).catch(() => undefined);
  if (current && JSON.stringify(current['views']) === JSON.stringify(wanted.views)) return;
  await db.put(current ? { ...wanted, _rev: current._rev } : wanted);
}

/** Creates a {@link DocSource} over `db`. */
export function pouchSource(db: PouchLike, options: PouchSourceOptions = {}): DocSource {
  const stats: MutableStats = { requests: 0, docsRead: 0 };
  const findContacts: NonNullable<DocSource['findContacts']> = async (ids, codes) => {
    if (ids.length === 0 && codes.length === 0) return { found: new Map(), byShortcode: new Map() };
    stats.requests += 1;
    const answer = await db.query(LINEAGE_VIEW, { keys: lineageKeys(ids, codes), include_docs: true }).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (!answer) return undefined;
    const lookup = toContactLookup(answer.rows, codes);
    stats.docsRead += lookup.found.size;
    return lookup;
  };
  const source: DocSource = {
    stats,
    async getMany(ids) {
      if (ids.length === 0) return { found: new Map(), deleted: new Set() };
      stats.requests += 1;
      const result = toFetchResult((await db.allDocs({ keys: [...ids], include_docs: true })).rows);
      stats.docsRead += result.found.size;
      return result;
    },
    async findByShortcodes(codes) {
      if (codes.length === 0) return new Map();
      stats.requests += 1;
      const answer = await db.query(SHORTCODE_VIEW, { keys: [...codes], include_docs: true }).catch((err: unknown) => {
        throw missingIndexError(err);
      });
      const byCode = toShortcodeMap(answer.rows);
      stats.docsRead += byCode.size;
      return byCode;
    },
    ...(options.lineageView ?? db.adapter === 'http' ? { findContacts } : {}),
  };
  return source;
}
