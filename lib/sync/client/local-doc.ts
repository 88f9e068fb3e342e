/** Reading and writing the client's own `_local` documents (never replicated, never in `update_seq`). */
import type { LocalDatabase, LocalDoc } from './local.js';

/** The body of a `_local` doc, or undefined when there is none. */
export async function readLocalDoc(local: LocalDatabase, id: string): Promise<LocalDoc | undefined> {
  try {
    return await local.get(id);
  } catch {
    return undefined;
  }
}

/** Replaces the body of a `_local` doc (its `_rev` is looked up here). */
export async function writeLocalDoc(local: LocalDatabase, id: string, body: Record<string, unknown>): Promise<void> {
  const rev = (await readLocalDoc(local, id))?._rev;
  await local.put({ ...body, _id: id, ...(rev ? { _rev: rev } : {}) });
}
