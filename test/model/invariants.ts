/**
 * The invariants of the model-based test, checked against the real server and devices:
 * - every write kept: each latest local write is on the server with the same content, or still a
 *   leaf on its device, or in a quarantine; never gone;
 * - agreement: when a sync says `up-to-date`, the device holds exactly what the rules allow it from
 *   the server (same revision or same content), and every local write the server lacks is one the
 *   rules refuse;
 * - no unhandled rejection.
 */
import { isRemovalMarker } from '../../lib/sync/protocol.js';
import type { AnyDoc } from '../../lib/sync/rules.js';
import type { Device, Real } from './devices.js';
import { contextOf, latestWrites, verdicts, visibleTo } from './model.js';
import type { Model } from './model.js';
import type { ModelWorld } from './world.js';

/** A broken invariant, with what was seen. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/** JSON with sorted keys, without the revision bookkeeping, to compare contents. */
export function canonical(doc: Readonly<Record<string, unknown>>): string {
  const strip = new Set(['_rev', '_revisions', '_conflicts', '_revs_info']);
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sort);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sort((value as Record<string, unknown>)[k])]));
  };
  return JSON.stringify(sort(Object.fromEntries(Object.entries(doc).filter(([k]) => !strip.has(k)))));
}

async function admin<T>(world: ModelWorld, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${world.couch.dbUrl(world.db)}/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: world.couch.adminAuthHeader, accept: 'application/json', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await response.json()) as T;
}

/** The server's winning, not deleted, documents (no design docs). */
export async function serverDocs(world: ModelWorld): Promise<Map<string, AnyDoc>> {
  const { rows } = await admin<{ rows: Array<{ id: string; doc?: AnyDoc }> }>(world, '_all_docs?include_docs=true');
  return new Map(rows.flatMap((row) => (row.doc && !row.id.startsWith('_design/') ? [[row.id, row.doc] as const] : [])));
}

/** Which of these revisions the server has, as `id@rev`. */
async function serverKnows(world: ModelWorld, revs: ReadonlyArray<readonly [string, string]>): Promise<Set<string>> {
  const asked: Record<string, string[]> = {};
  for (const [id, rev] of revs) (asked[id] ??= []).push(rev);
  if (revs.length === 0) return new Set();
  const missing = await admin<Record<string, { missing?: string[] }>>(world, '_revs_diff', asked);
  const lacking = new Set(Object.entries(missing).flatMap(([id, d]) => (d.missing ?? []).map((rev) => `${id}@${rev}`)));
  return new Set(revs.map(([id, rev]) => `${id}@${rev}`).filter((key) => !lacking.has(key)));
}

/** The device's winning revision of every document, deleted ones included. */
async function deviceDocs(device: Device): Promise<Map<string, AnyDoc>> {
  const { results } = await device.app.changes({ since: 0, include_docs: true, style: 'main_only' });
  return new Map(results.flatMap((r) => (r.doc && !r.id.startsWith('_design/') ? [[r.id, r.doc as unknown as AnyDoc] as const] : [])));
}

/** The device's leaf revisions of a document. */
async function leaves(device: Device, id: string): Promise<string[]> {
  const found = await device.app.get(id, { open_revs: 'all' }).catch(() => []);
  return found.flatMap((leaf) => ('ok' in leaf && leaf.ok._rev ? [leaf.ok._rev] : []));
}

/** What the invariants let pass while a known defect is open, so a run can look for the others. */
export interface Tolerated {
  /** Issue 15, defect 3: a write the server lacks, buried by the sync under a removal marker or a re-grant. */
  readonly removalBuriesPending?: boolean;
}

/** Every latest local write is on the server (same content), still on its device, or quarantined. */
export async function checkWritesKept(
  model: Model, real: Real, quarantine?: (device: Device) => Promise<readonly unknown[]>, tolerated: Tolerated = {},
): Promise<void> {
  const writes = latestWrites(model.writes);
  const known = await serverKnows(real.world, writes.map((w) => [w.id, w.rev] as const));
  const problems: string[] = [];
  for (const w of writes) {
    const device = real.devices[w.device];
    if (!device) continue;
    if (known.has(`${w.id}@${w.rev}`)) {
      if (w.deleted) continue;
      const stored = await admin<Record<string, unknown>>(real.world, `${encodeURIComponent(w.id)}?rev=${w.rev}`);
      if (canonical(stored) !== canonical(w.body)) problems.push(`${w.id}@${w.rev} (${w.marker}) is on the server with other content: ${canonical(stored)}`);
      continue;
    }
    if ((await leaves(device, w.id)).includes(w.rev)) continue;
    // Still in the device's revision tree under revisions the client wrote (a removal marker, a re-grant).
    if (tolerated.removalBuriesPending && await device.app.get(w.id, { rev: w.rev }).then(() => true, () => false)) continue;
    const kept = [...device.quarantined, ...(quarantine ? (await quarantine(device)).map((q) => JSON.stringify(q)) : [])];
    if (!w.deleted && kept.some((entry) => entry.includes(w.marker))) continue;
    problems.push(`device ${w.device} (${device.user.key}) lost its write ${w.id}@${w.rev} (${w.deleted ? 'deletion' : w.marker}): not on the server, not on the device, not quarantined`);
  }
  if (problems.length > 0) throw new InvariantError(problems.join('\n'));
}

/** After `up-to-date`: the device holds exactly the allowed set, and keeps only writes the rules refuse. */
export async function checkAgreement(model: Model, real: Real, device: Device): Promise<void> {
  const server = await serverDocs(real.world);
  const context = contextOf(device.user, model.assignments[device.user.key], [...server.values()]);
  const held = await deviceDocs(device);
  const known = await serverKnows(real.world, [...held.values()].map((d) => [d._id, d._rev ?? ''] as const));
  const problems: string[] = [];
  const agree = new Set<string>();
  const pending: AnyDoc[] = [];
  for (const doc of held.values()) {
    if (isRemovalMarker(doc)) continue;
    const stored = server.get(doc._id);
    if (stored && (stored._rev === doc._rev || canonical(stored) === canonical(doc))) { agree.add(doc._id); continue; }
    if (known.has(`${doc._id}@${doc._rev ?? ''}`)) {
      if (doc._deleted) continue;
      if (stored && visibleTo(context, stored)) problems.push(`${doc._id}: the device holds ${doc._rev ?? '?'}, older than the server's ${stored._rev ?? '?'}`);
      else problems.push(`${doc._id}@${doc._rev ?? '?'}: the device still holds it, but the server ${stored ? 'does not allow it' : 'deleted it'}`);
      continue;
    }
    pending.push(doc);
  }
  const verdict = await verdicts(pending, server, context);
  for (const doc of pending) {
    if (verdict.get(doc._id) === undefined) problems.push(`${doc._id}@${doc._rev ?? '?'}: a local write the rules accept is not on the server`);
  }
  const pendingIds = new Set(pending.map((doc) => doc._id));
  for (const [id, doc] of server) {
    if (!visibleTo(context, doc) || agree.has(id) || pendingIds.has(id)) continue;
    const local = held.get(id);
    problems.push(`${id}@${doc._rev ?? '?'} is allowed but the device holds ${local ? `${local._rev ?? '?'}${local._deleted ? ' (deleted' + (local['purged'] ? ', removal marker)' : ')') : ''}` : 'nothing'}`);
  }
  for (const id of agree) {
    const doc = server.get(id);
    if (doc && !visibleTo(context, doc)) problems.push(`${id}: the device still holds it, but it is not allowed`);
  }
  if (problems.length > 0) {
    throw new InvariantError(`device ${device.index} (${device.user.key}, facilities ${JSON.stringify(model.assignments[device.user.key])}) says up-to-date but:\n${problems.join('\n')}`);
  }
}

/** No promise was left rejected without a handler. */
export function checkNoUnhandled(real: Real): void {
  if (real.unhandled.length > 0) throw new InvariantError(`unhandled rejection: ${real.unhandled.map(String).join('; ')}`);
}
