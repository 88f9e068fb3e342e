/**
 * Work the server refused, kept on the device and visible to the app, never dropped silently:
 * documents the gateway denied (retried at every sync until accepted) and the quarantine, the bodies
 * of local revisions the server never had, taken out of a document the device had to remove.
 */
import type { LocalDatabase, LocalDoc } from './local.js';
import { readLocalDoc, writeLocalDoc } from './local-doc.js';

const DENIED_ID = '_local/fieldsync-denied';
const QUARANTINE_ID = '_local/fieldsync-quarantine';

/** A local document the gateway refused; it stays pending and is offered again at every sync. */
export interface DeniedDoc {
  readonly id: string;
  /** The local revision when it was refused. */
  readonly rev: string;
  readonly reason: string;
}

/** A local revision the server never had, kept here because its document was removed from the device. */
export interface QuarantinedDoc {
  readonly id: string;
  readonly rev: string;
  /** The revision's body, attachments inline. */
  readonly doc: LocalDoc;
  /** Why the document was removed: the server deleted it, or the user may no longer see it. */
  readonly reason: 'deleted' | 'not-visible';
}

/** The denied list (empty if none). */
export async function loadDenied(local: LocalDatabase): Promise<DeniedDoc[]> {
  const doc = await readLocalDoc(local, DENIED_ID);
  return Array.isArray(doc?.['docs']) ? (doc['docs'] as DeniedDoc[]) : [];
}

/** Replaces the denied list. */
export async function saveDenied(local: LocalDatabase, docs: readonly DeniedDoc[]): Promise<void> {
  await writeLocalDoc(local, DENIED_ID, { docs });
}

/** The quarantine (empty if none). */
export async function loadQuarantine(local: LocalDatabase): Promise<QuarantinedDoc[]> {
  const doc = await readLocalDoc(local, QUARANTINE_ID);
  return Array.isArray(doc?.['docs']) ? (doc['docs'] as QuarantinedDoc[]) : [];
}

/** Adds revisions to the quarantine (one entry per id and revision). */
export async function addToQuarantine(local: LocalDatabase, entries: readonly QuarantinedDoc[]): Promise<void> {
  if (entries.length === 0) return;
  const current = await loadQuarantine(local);
  const key = (e: QuarantinedDoc): string => `${e.id}\u0000${e.rev}`;
  const known = new Set(current.map(key));
  await writeLocalDoc(local, QUARANTINE_ID, { docs: [...current, ...entries.filter((e) => !known.has(key(e)))] });
}

/** Drops one revision from the quarantine, once the app has dealt with it. */
export async function releaseQuarantined(local: LocalDatabase, id: string, rev: string): Promise<void> {
  const current = await loadQuarantine(local);
  const rest = current.filter((e) => e.id !== id || e.rev !== rev);
  if (rest.length !== current.length) await writeLocalDoc(local, QUARANTINE_ID, { docs: rest });
}
