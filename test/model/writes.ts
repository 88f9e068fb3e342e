/**
 * Writes of the model-based test: the app's writes on a device (recorded in the model) and the
 * admin's writes on the server. Each picks its target by index among what exists at that moment, so
 * a command stays meaningful while fast-check shrinks the sequence around it.
 */
import type { AnyDoc } from '../../lib/sync/rules.js';
import type { Device } from './devices.js';
import type { Model } from './model.js';
import { serverDocs } from './invariants.js';
import type { ModelWorld } from './world.js';

/** What the app does on a device. */
export const LOCAL_WRITES = ['report', 'person', 'edit', 'delete', 'report-elsewhere', 'recreate'] as const;
export type LocalWriteKind = (typeof LOCAL_WRITES)[number];

/** What the admin does on the server. */
export const SERVER_WRITES = ['edit', 'delete', 'report', 'move'] as const;
export type ServerWriteKind = (typeof SERVER_WRITES)[number];

/** Every person of the world, visible or not, for reports about someone else's patient. */
const EVERYONE = ['pA', 'pB', 'chwA', 'chwB'];

async function held(device: Device): Promise<AnyDoc[]> {
  const { rows } = await device.app.allDocs({ include_docs: true });
  return rows.flatMap((row) => (row.doc && !row.id.startsWith('_design/') ? [row.doc as unknown as AnyDoc] : []));
}

function pickFrom<T>(items: readonly T[], pick: number): T | undefined {
  return items.length === 0 ? undefined : items[pick % items.length];
}

/** Ids the device deleted or removed, with the leaf revision and the last content before it. */
async function removed(device: Device): Promise<Array<{ id: string; rev: string }>> {
  const { results } = await device.app.changes({ since: 0, style: 'main_only' });
  return results.flatMap((r) => (r.deleted && !r.id.startsWith('_design/') ? [{ id: r.id, rev: r.changes[0]?.rev ?? '' }] : []));
}

async function before(device: Device, id: string, rev: string): Promise<Record<string, unknown> | undefined> {
  const [leaf] = await device.app.get(id, { open_revs: [rev], revs: true });
  const revisions = leaf && 'ok' in leaf ? (leaf.ok as { _revisions?: { start: number; ids: string[] } })._revisions : undefined;
  if (!revisions || revisions.ids.length < 2) return undefined;
  const parent = `${revisions.start - 1}-${revisions.ids[1] ?? ''}`;
  const doc = (await device.app.get(id, { rev: parent }).catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!doc) return undefined;
  const { _rev: _ignored, ...body } = doc;
  return body;
}

/** The document a local write puts, or undefined when there is nothing to write on. */
async function localDoc(device: Device, kind: LocalWriteKind, pick: number, marker: string, stamp: number, contacts: boolean): Promise<AnyDoc | undefined> {
  const docs = await held(device);
  const report = (subject: string): AnyDoc => ({
    _id: `r-${marker}`, type: 'data_record', form: 'home_visit', reported_date: stamp, fields: { patient_uuid: subject }, contact: { _id: device.user.contactId }, note: marker,
  });
  switch (kind) {
    case 'report': {
      const subject = pickFrom(docs.filter((d) => d.type === 'person'), pick);
      return subject ? report(subject._id) : undefined;
    }
    case 'report-elsewhere':
      return report(pickFrom(EVERYONE, pick) ?? 'pA');
    case 'person': {
      const clinic = pickFrom(docs.filter((d) => d.type === 'clinic'), pick);
      return clinic ? { _id: `p-${marker}`, type: 'person', name: marker, reported_date: stamp, parent: { _id: clinic._id, parent: clinic.parent }, note: marker } : undefined;
    }
    case 'edit': {
      const doc = pickFrom(docs, pick);
      return doc ? { ...doc, note: marker } : undefined;
    }
    case 'delete': {
      const doc = pickFrom(docs.filter((d) => d.type === 'data_record' || (contacts && d.type === 'person')), pick);
      return doc ? { _id: doc._id, _rev: doc._rev, _deleted: true } : undefined;
    }
    case 'recreate': {
      const gone = pickFrom(await removed(device), pick);
      if (!gone) return undefined;
      const body = await before(device, gone.id, gone.rev);
      return body ? { ...body, _id: gone.id, _rev: gone.rev, note: marker } : undefined;
    }
  }
}

/**
 * The app writes on a device; the write is recorded in the model with its revision and content.
 * Deletions take reports, and persons too when `contacts`.
 */
export async function localWrite(model: Model, device: Device, kind: LocalWriteKind, pick: number, contacts: boolean): Promise<void> {
  model.next += 1;
  const marker = `w${model.next}`;
  const doc = await localDoc(device, kind, pick, marker, model.next, contacts);
  if (!doc) return;
  const { rev } = await device.app.put(doc);
  const { _rev: _ignored, ...body } = doc;
  model.writes.push({ device: device.index, id: doc._id, rev, body: doc._deleted ? { _id: doc._id, _deleted: true } : body, deleted: doc._deleted === true, marker });
}

/** The admin writes on the server (someone else's edit, a deletion, a new report, a move). */
export async function serverWrite(model: Model, world: ModelWorld, kind: ServerWriteKind, pick: number): Promise<void> {
  model.next += 1;
  const marker = `s${model.next}`;
  const docs = [...(await serverDocs(world)).values()];
  const reports = docs.filter((d) => d.type === 'data_record');
  const persons = docs.filter((d) => d.type === 'person');
  switch (kind) {
    case 'edit': {
      const doc = pickFrom(docs.filter((d) => d.type !== 'user-settings' && d.type !== 'form'), pick);
      if (doc) await world.admin.insert({ ...doc, note: marker });
      return;
    }
    case 'delete': {
      const doc = pickFrom(reports, pick);
      if (doc?._rev) await world.admin.destroy(doc._id, doc._rev);
      return;
    }
    case 'report': {
      const subject = pickFrom(persons, pick);
      if (subject) await world.admin.insert({ _id: `sr-${marker}`, type: 'data_record', form: 'home_visit', reported_date: model.next, fields: { patient_uuid: subject._id }, contact: { _id: 'sup' }, note: marker });
      return;
    }
    case 'move': {
      const person = pickFrom(persons.filter((p) => !['chwA', 'chwB', 'sup'].includes(p._id)), pick);
      const clinic = pickFrom(docs.filter((d) => d.type === 'clinic'), Math.floor(pick / 3));
      if (person && clinic) await world.admin.insert({ ...person, parent: { _id: clinic._id, parent: clinic.parent }, note: marker });
    }
  }
}
