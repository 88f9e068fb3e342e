/**
 * The small data-source port every capability reads through, so the same logic runs on PouchDB in a
 * browser, PouchDB in Node, PouchDB over HTTP, and nano against CouchDB. Each method is exactly one
 * database request, counted in `stats`, so tests assert request counts rather than time.
 */

/** Any stored JSON document. */
export interface StoredDoc {
  readonly _id: string;
  readonly _rev?: string;
  readonly [key: string]: unknown;
}

/** What one `getMany` found. */
export interface FetchResult {
  /** Live documents by id. */
  readonly found: ReadonlyMap<string, StoredDoc>;
  /** Ids that exist only as deletions. */
  readonly deleted: ReadonlySet<string>;
}

/** What one {@link DocSource.findContacts} found. */
export interface ContactLookup {
  /** Every document read, by id: the contacts asked for by id or shortcode and the primary contact of each. */
  readonly found: ReadonlyMap<string, StoredDoc>;
  /** Each shortcode found, to its contact (the first by id when several contacts share it). */
  readonly byShortcode: ReadonlyMap<string, StoredDoc>;
}

/** Requests made and documents read through a source. */
export interface SourceStats {
  readonly requests: number;
  readonly docsRead: number;
}

/** Read access to one database. */
export interface DocSource {
  /** Documents by id, in one request; ids not found are absent from the result. */
  getMany(ids: readonly string[]): Promise<FetchResult>;
  /**
   * Contacts by shortcode (`patient_id` of a person, `place_id` of a place), in one request.
   * The result maps each shortcode found to its contact.
   */
  findByShortcodes(codes: readonly string[]): Promise<ReadonlyMap<string, StoredDoc>>;
  /**
   * Contacts by id and by shortcode, each with its primary contact, in one request (the lineage view
   * that `installShortcodeIndex` installs). Ids that are not live contacts are absent; read them with
   * `getMany`. Resolves `undefined` when the database has no such view. Optional: without it a source
   * is read with `getMany` and `findByShortcodes` alone, in more round trips.
   */
  findContacts?(ids: readonly string[], codes: readonly string[]): Promise<ContactLookup | undefined>;
  /** Counters since the source was created. */
  readonly stats: SourceStats;
}

/** Mutable counters shared by the adapters. */
export interface MutableStats {
  requests: number;
  docsRead: number;
}
