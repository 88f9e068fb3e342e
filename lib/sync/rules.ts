/**
 * The access-rule port shared by the sync gateway (server), the client (to predict a rejection)
 * and the generated CouchDB design doc. A database's rules say, for any document, under which
 * *replication keys* it is filed, and, for a user, which keys they may read; a document is visible
 * to a user when the two sets meet. Writes are checked separately (new and stored version).
 *
 * CHT rules (`lib/cht/rules.ts`) file a contact under its own id, a report under its subject,
 * a task under its `user`, a target under its `owner`, public docs under `_all`. PHR rules
 * (`lib/phr/`) file an owned document under its owner and catalogue documents under a shared key;
 * server-only collections get no key at all, so no user can ever list or fetch them.
 */

/** Any stored JSON document. */
export interface AnyDoc {
  readonly _id: string;
  readonly _rev?: string;
  readonly _deleted?: boolean;
  readonly [key: string]: unknown;
}

/** Who is asking, as the gateway established it from CouchDB's `_session`. */
export interface SyncUser {
  /** CouchDB user name (`_users` name), e.g. `agatha`. */
  readonly name: string;
  readonly roles: readonly string[];
}

/** A reasoned refusal, sent to the client as CouchDB's `403 {error: 'forbidden', reason}`. */
export interface Forbidden {
  readonly kind: 'forbidden';
  readonly docId: string;
  readonly reason: string;
}

/** Read-only view of the server database that rules may consult while building a context. */
export interface RulesQuery {
  /** Rows of a view of the rules' design doc, by exact keys (chunked by the caller's adapter). */
  viewByKeys(view: string, keys: readonly unknown[]): Promise<ReadonlyArray<{ readonly id: string; readonly key: unknown; readonly value: unknown }>>;
  /** True when a view of the rules' design doc has any row: one cheap request before a long key list. */
  hasRows(view: string): Promise<boolean>;
  /** Documents by id; missing ids are absent from the map. */
  getMany(ids: readonly string[]): Promise<ReadonlyMap<string, AnyDoc>>;
}

/** The stored (winning, not deleted) version of each document of a push that the server holds, by id. */
export type StoredDocs = ReadonlyMap<string, AnyDoc>;

/**
 * What one database's sync needs to know about access. `Context` is whatever the rules compute
 * once per request for a user (e.g. visible contacts); it must be plain data. `Facts` is what a
 * write check needs to know about one push beyond the context (e.g. who already holds a key a pushed
 * document claims), looked up for the whole push at once.
 */
export interface AccessRules<Context, Facts = unknown> {
  /** Design doc id holding the views and the validate_doc_update, e.g. `_design/fieldsync`. */
  readonly designDocId: string;
  /**
   * The design doc to install: a `replication_keys` view (one row per key of a doc, its value the
   * doc's `_rev`, or `{rev, conflicts}` with its `_conflicts` when it has any: `LISTED_VALUE` in
   * `view-value.ts`; plus any views the rules' `context` queries) and a `validate_doc_update`
   * enforcing what can be checked from the document and userCtx alone.
   */
  designDoc(): AnyDoc;
  /** Pure: the keys a document is filed under (the view runs the same logic). Empty: nobody syncs it. */
  replicationKeys(doc: AnyDoc): readonly string[];
  /**
   * Optional, pure: keys whose readers' contexts a change of this document may alter beyond its own keys
   * (a CHT contact's ancestors: a new contact under a facility gives its users a key). The gateway's feed
   * wakes and refreshes the users holding any of them.
   */
  routingKeys?(doc: AnyDoc): readonly string[];
  /**
   * Optional, pure: false when this version of a document is read by no user's context (a CHT report that
   * is not private). The gateway then keeps the cached contexts of its readers when the document is new or
   * its previous version was seen to be read by none either; without this, and for every deletion, a
   * change drops the cached contexts of its readers (its keys before and after, and its routing keys).
   */
  readByContexts?(doc: AnyDoc): boolean;
  /** Builds the user's context (one or a few view queries, never one per document). */
  context(user: SyncUser, query: RulesQuery): Promise<Context>;
  /** The keys a user may read. */
  readableKeys(context: Context): readonly string[];
  /**
   * Looks up what {@link checkWrites} needs to know about a push: a bounded number of queries (each
   * paged by the adapter) whatever the number of documents, never one per document.
   */
  writeFacts(docs: readonly AnyDoc[], stored: StoredDocs, context: Context, query: RulesQuery): Promise<Facts>;
  /**
   * Pure: checks every document of a push, one verdict per document in the order given (undefined:
   * accepted). `stored` holds the server's current winning versions; both versions must be
   * acceptable, so a user cannot take a document by rewriting its owner. A document may lean on
   * others of the same push (a report on a contact created with it), but only on ones that are
   * accepted themselves. Time linear (or n log n) in the number of documents.
   */
  checkWrites(docs: readonly AnyDoc[], stored: StoredDocs, context: Context, facts: Facts): ReadonlyArray<Forbidden | undefined>;
}
