/**
 * The part of a local PouchDB the sync client uses. Any PouchDB database (browser `indexeddb` or
 * `idb`, Node `memory` or `leveldb`) fits it; declaring it here keeps PouchDB's type package out of
 * an app's compile.
 */

/** A document as stored locally. */
export interface LocalDoc {
  readonly _id: string;
  readonly _rev?: string;
  readonly _deleted?: boolean;
  readonly [key: string]: unknown;
}

/** A running PouchDB replication (it is also a promise of its result). */
export interface LocalReplication extends PromiseLike<{ readonly docs_written: number; readonly doc_write_failures: number; readonly last_seq: number | string }> {
  on(event: 'denied', listener: (error: unknown) => void): unknown;
  on(event: 'change', listener: (info: { readonly docs_written: number; readonly pending?: number; readonly docs?: ReadonlyArray<{ readonly _id: string }> }) => void): unknown;
  cancel(): void;
}

/** The PouchDB database methods sync relies on. */
export interface LocalDatabase {
  readonly name: string;
  info(): Promise<{ readonly update_seq: number | string }>;
  revsDiff(diff: Record<string, string[]>): Promise<Record<string, { readonly missing?: readonly string[] }>>;
  bulkDocs(docs: LocalDoc[], options: { new_edits: false }): Promise<unknown[]>;
  allDocs(options: { keys?: string[]; include_docs?: boolean; conflicts?: boolean; startkey?: string; limit?: number; skip?: number }): Promise<{
    readonly rows: ReadonlyArray<{
      readonly id: string;
      readonly key: string;
      readonly error?: string;
      readonly value?: { readonly rev: string; readonly deleted?: boolean };
      readonly doc?: LocalDoc | null;
    }>;
  }>;
  get(id: string): Promise<LocalDoc>;
  get(id: string, options: { open_revs: 'all' }): Promise<ReadonlyArray<{ readonly ok?: LocalDoc }>>;
  /** One revision (`rev`), with its history (`revs`: `_revisions`) and attachment bodies (`attachments`). */
  get(id: string, options: { rev?: string; revs?: boolean; attachments?: boolean }): Promise<LocalDoc>;
  put(doc: LocalDoc): Promise<{ readonly rev: string }>;
  /** Removes a revision without a trace; only some adapters (`indexeddb`) implement it. */
  purge?(id: string, rev: string): Promise<unknown>;
  changes(options: { since: 'now'; live: true; limit?: number }): { on(event: 'change', listener: () => void): unknown; cancel(): void };
  /** With `style: 'all_docs'` each change lists every leaf revision of its document. */
  changes(options: { since: number | string; limit?: number; style?: 'all_docs' }): PromiseLike<{
    readonly results: ReadonlyArray<{ readonly id: string; readonly changes: ReadonlyArray<{ readonly rev: string }> }>;
    readonly last_seq: number | string;
  }>;
  replicate: { to(target: unknown, options: Record<string, unknown>): LocalReplication };
}
