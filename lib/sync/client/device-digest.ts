/**
 * The device's side of the integrity check: the digest of the revisions it holds of the documents the
 * server's list would have, computed exactly as the gateway computes `_fieldsync/digest`. The set is
 * the winning, non-deleted revision of every document, with these adjustments: a design document counts
 * only when the server has its revision (a served client design doc, not an index the app made here);
 * a re-grant stand-in counts as the server revision it stands for; a document the gateway refused (held
 * in the denied list) counts by the newest revision of its history the server has, or not at all.
 */
import { revisionDigest } from '../digest.js';
import type { RevisionDigest } from '../digest.js';
import type { IdRev } from '../protocol.js';
import { askedRev, knownToServer } from './gone.js';
import type { DeniedDoc } from './held.js';
import type { LocalDatabase } from './local.js';
import type { ServerRevsDiff } from './pull.js';
import type { RemovalState } from './removal.js';

/** Every local document's winning revision, by id (deleted ones are not listed by `allDocs`). */
async function winners(local: LocalDatabase): Promise<Map<string, string>> {
  const revs = new Map<string, string>();
  const page = 5_000;
  let startkey: string | undefined;
  for (;;) {
    const { rows } = await local.allDocs({ limit: page + (startkey === undefined ? 0 : 1), ...(startkey === undefined ? {} : { startkey }) });
    const fresh = startkey === undefined ? rows : rows.slice(1);
    for (const row of fresh) if (row.value?.rev) revs.set(row.id, row.value.rev);
    if (fresh.length < page) return revs;
    startkey = rows[rows.length - 1]?.id;
  }
}

/** Of these revisions, the ones the server lacks. */
async function missingOnServer(serverRevsDiff: ServerRevsDiff, revs: readonly IdRev[]): Promise<Set<string>> {
  if (revs.length === 0) return new Set();
  const diff = await serverRevsDiff(Object.fromEntries(revs.map((r) => [r.id, [r.rev]])));
  return new Set(revs.filter((r) => (diff[r.id]?.missing ?? []).includes(r.rev)).map((r) => `${r.id}\u0000${r.rev}`));
}

/** The digest of what the device holds, comparable with the gateway's `_fieldsync/digest`. */
export async function deviceDigest(
  local: LocalDatabase, serverRevsDiff: ServerRevsDiff, denied: readonly DeniedDoc[], state: RemovalState,
): Promise<RevisionDigest> {
  const held = await winners(local);
  for (const [id, rev] of held) held.set(id, askedRev(state, id, rev));
  const design = [...held].filter(([id]) => id.startsWith('_design/')).map(([id, rev]) => ({ id, rev }));
  const unknownDesign = await missingOnServer(serverRevsDiff, design);
  for (const { id, rev } of design) if (unknownDesign.has(`${id}\u0000${rev}`)) held.delete(id);
  const refused = denied.flatMap((d) => { const rev = held.get(d.id); return rev ? [{ id: d.id, rev }] : []; });
  const known = await knownToServer(local, serverRevsDiff, refused);
  const unknown = await missingOnServer(serverRevsDiff, known);
  for (const { id, rev } of known) {
    if (unknown.has(`${id}\u0000${rev}`)) held.delete(id);
    else held.set(id, rev);
  }
  return revisionDigest([...held].map(([id, rev]) => ({ id, rev })));
}
