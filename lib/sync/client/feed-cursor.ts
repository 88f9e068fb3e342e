/**
 * Where the device's place in the user's `_changes` feed is kept: a `_local` doc (never replicated),
 * one cursor per gateway URL and user, written only after the documents of the page it ends were
 * written, so a sync killed at any point resumes from a cursor whose every change is on the device.
 */
import type { LocalDatabase } from './local.js';
import { readLocalDoc, writeLocalDoc } from './local-doc.js';

const CURSOR_ID = '_local/fieldsync-feed-cursor';

/** The key of one feed: the gateway URL of the database and the user (empty when a cookie names them). */
export function feedKey(url: string, user: string | undefined): string {
  return `${url}\u0000${user ?? ''}`;
}

async function cursors(local: LocalDatabase): Promise<Record<string, string>> {
  const doc = await readLocalDoc(local, CURSOR_ID);
  const stored = doc?.['cursors'];
  return stored && typeof stored === 'object' ? { ...(stored as Record<string, string>) } : {};
}

/** The stored cursor of this feed, or undefined when the next sync must list and diff. */
export async function loadCursor(local: LocalDatabase, key: string): Promise<string | undefined> {
  const cursor = (await cursors(local))[key];
  return typeof cursor === 'string' && cursor.length > 0 ? cursor : undefined;
}

/** Stores the cursor of this feed (undefined: forgets it, so the next sync lists and diffs). */
export async function saveCursor(local: LocalDatabase, key: string, cursor: string | undefined): Promise<void> {
  const all = await cursors(local);
  if (all[key] === cursor) return;
  if (cursor === undefined) delete all[key];
  else all[key] = cursor;
  await writeLocalDoc(local, CURSOR_ID, { cursors: all });
}
