/**
 * The feed for a cursor outside the change index's window (a restarted gateway, another gateway's cursor,
 * an old one): CouchDB's `_changes` from the cursor's sequence, paged, keeping what the user may see now.
 * A change of a document they may not see cannot be judged (did they hold it?), so it is left out and the
 * answer asks fieldsync's client to verify.
 */
import type { AccessRules } from '../rules.js';
import type { ChangeRow } from './change-index.js';
import type { GatewayCouch } from './couch.js';
import { seesIn } from './feed.js';

/** Changes read from CouchDB per page. */
const PAGE = 500;

/** One entry of the fallback. */
export interface FallbackEntry {
  readonly seq: string;
  readonly id: string;
  readonly revs: readonly string[];
  readonly winner: string;
  readonly deleted: boolean;
}

/** What the fallback needs. */
export interface Fallback {
  readonly couch: GatewayCouch;
  readonly db: string;
  readonly rules: AccessRules<unknown>;
  readonly since: string;
  readonly r1: ReadonlySet<string>;
  /** Last live keys of a document, from the change index (how a deletion is judged). */
  readonly keysOf: (id: string) => readonly string[] | undefined;
  readonly wanted: ReadonlySet<string> | undefined;
  readonly limit: number;
}

/** The answer: entries, whether CouchDB had no more, whether a change could not be judged. */
export interface FallbackAnswer {
  readonly entries: readonly FallbackEntry[];
  readonly complete: boolean;
  readonly verify: boolean;
}

/** Reads CouchDB's changes after `since` until `limit` entries or the end. */
export async function fallbackFeed(input: Fallback): Promise<FallbackAnswer> {
  const entries: FallbackEntry[] = [];
  let verify = false;
  let since = input.since;
  for (;;) {
    const page = (await input.couch.request(input.db, 'GET', '_changes', {
      since, style: 'all_docs', include_docs: true, limit: PAGE,
    })) as { results: ChangeRow[]; last_seq: unknown };
    for (const row of page.results) {
      if (entries.length >= input.limit) return { entries, complete: false, verify };
      if (row.id.startsWith('_local/') || (input.wanted && !input.wanted.has(row.id))) continue;
      const deleted = row.deleted === true;
      const keys = deleted || !row.doc ? input.keysOf(row.id) : input.rules.replicationKeys(row.doc);
      if (keys === undefined || !seesIn(input.r1, row.id, keys)) {
        verify = true;
        continue;
      }
      const revs = row.changes.map((c) => c.rev);
      entries.push({ seq: String(row.seq), id: row.id, revs, winner: row.doc?._rev ?? revs[0] ?? '', deleted });
    }
    if (page.results.length < PAGE) return { entries, complete: true, verify };
    since = String(page.last_seq);
  }
}
