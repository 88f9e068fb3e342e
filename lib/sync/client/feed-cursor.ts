/**
 * Where the device's place in the user's `_changes` feed is kept: a `_local` doc (never replicated),
 * one cursor per gateway URL and user, written only after the documents of the page it ends were
 * written. Before a page is applied its ids are recorded as in flight: a sync cut short mid-page leaves
 * them there, and the next feed pull first asks the server about exactly those documents (the page read
 * again may no longer name them, as when access moved back meanwhile).
 */
import type { LocalDatabase } from './local.js';
import { readLocalDoc, writeLocalDoc } from './local-doc.js';

const CURSOR_ID = '_local/fieldsync-feed-cursor';

/** The key of one feed: the gateway URL of the database and the user (empty when a cookie names them). */
export function feedKey(url: string, user: string | undefined): string {
  return `${url}\u0000${user ?? ''}`;
}

interface Stored {
  cursors: Record<string, string>;
  inflight: Record<string, string[]>;
}

async function stored(local: LocalDatabase): Promise<Stored> {
  const doc = await readLocalDoc(local, CURSOR_ID);
  const of = <T>(value: unknown): Record<string, T> => (value && typeof value === 'object' ? { ...(value as Record<string, T>) } : {});
  return { cursors: of<string>(doc?.['cursors']), inflight: of<string[]>(doc?.['inflight']) };
}

/** The stored cursor of this feed, or undefined when the next sync must list and diff. */
export async function loadCursor(local: LocalDatabase, key: string): Promise<string | undefined> {
  const cursor = (await stored(local)).cursors[key];
  return typeof cursor === 'string' && cursor.length > 0 ? cursor : undefined;
}

/** Ids of a page that was being applied when a sync was cut short (empty when none). */
export async function loadInflight(local: LocalDatabase, key: string): Promise<string[]> {
  const ids = (await stored(local)).inflight[key];
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

/** Records these ids as being applied, beside any left from a sync cut short. */
export async function markInflight(local: LocalDatabase, key: string, ids: readonly string[]): Promise<void> {
  const all = await stored(local);
  all.inflight[key] = [...new Set([...(all.inflight[key] ?? []), ...ids])];
  await writeLocalDoc(local, CURSOR_ID, { ...all });
}

/**
 * Stores the cursor of this feed (undefined: forgets it, so the next sync lists and diffs) and
 * clears its in-flight ids: everything up to the cursor is on the device.
 */
export async function saveCursor(local: LocalDatabase, key: string, cursor: string | undefined): Promise<void> {
  const all = await stored(local);
  if (all.cursors[key] === cursor && all.inflight[key] === undefined) return;
  if (cursor === undefined) delete all.cursors[key];
  else all.cursors[key] = cursor;
  delete all.inflight[key];
  await writeLocalDoc(local, CURSOR_ID, { ...all });
}
