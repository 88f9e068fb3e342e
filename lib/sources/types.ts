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
  /** Counters since the source was created. */
  readonly stats: SourceStats;
}

/** Mutable counters shared by the adapters. */
export interface MutableStats {
  requests: number;
  docsRead: number;
}
