/**
 * Batch hydration against straightforward per-document hydration, both over HTTP to the embedded
 * server, on the same data in one process.
 *
 * Data: a 5-level hierarchy (district > 10 health centres > 50 areas > 2,000 households > 10,000
 * people), each place with a primary contact, and 20,000 reports naming their patient by shortcode
 * or uuid. The batch: 1,000 mixed docs (500 reports, 300 people, 200 households).
 * Per-document: for each doc, fetch each parent, each place's primary contact, the author and the
 * patient one request at a time, as code without a batch API does.
 *
 * Ratio: best per-document time / best batched time (goal >= 20, with requests <= 2 x depth + 3 = 13).
 */
import { randomBytes } from 'node:crypto';
import Nano from 'nano';
import PouchDB from 'pouchdb';
import { startEmbeddedServer } from '../lib/embedded-server/index.js';
import { hydrate } from '../lib/lineage/index.js';
import { installShortcodeIndex, pouchSource, SHORTCODE_VIEW } from '../lib/sources/index.js';
import type { PouchLike, StoredDoc } from '../lib/sources/index.js';
import { seededRandom } from '../lib/seed/random.js';

type Ref = { _id: string; parent?: Ref };
const random = seededRandom(5);
const docs: StoredDoc[] = [];
const people: Array<{ id: string; ref: Ref; code: string }> = [];
let n = 0;
function place(type: string, parent: Ref | undefined, contactOf: (ref: Ref) => Ref | undefined): Ref {
  const id = `${type}-${n++}`;
  const ref: Ref = parent ? { _id: id, parent } : { _id: id };
  const contact = contactOf(ref);
  docs.push({ _id: id, type, name: id, ...(parent ? { parent } : {}), ...(contact ? { contact } : {}), reported_date: 1 });
  return ref;
}
function person(home: Ref): Ref {
  const id = `person-${people.length}`;
  const code = String(10_000 + people.length);
  docs.push({ _id: id, type: 'person', name: id, patient_id: code, parent: home, reported_date: 1 });
  const ref = { _id: id, parent: home };
  people.push({ id, ref, code });
  return ref;
}
// Every place's primary contact is a person living in it (created right after the place).
const withContact = (ref: Ref): Ref => ({ _id: `person-${people.length}`, parent: ref });
const district = place('district_hospital', undefined, withContact);
person(district);
const households: Ref[] = [];
for (let c = 0; c < 10; c += 1) {
  const centre = place('health_center', district, withContact);
  person(centre);
  for (let a = 0; a < 5; a += 1) {
    const area = place('clinic', centre, withContact);
    person(area);
    for (let h = 0; h < 40; h += 1) {
      const household = place('household', area, withContact);
      households.push(household);
      person(household);
      for (let p = 1; people.length < 10_000 && p < 5; p += 1) person(household);
    }
  }
}
for (let i = 0; i < 20_000; i += 1) {
  const author = random.pick(people);
  const patient = random.pick(people);
  const fields = i % 2 === 0 ? { patient_id: patient.code } : { patient_uuid: patient.id };
  docs.push({ _id: `report-${i}`, type: 'data_record', form: 'visit', contact: author.ref, fields, reported_date: 2 });
}
// households are typed 'household' above for readability; store them as configurable contacts.
for (const doc of docs) if (doc['type'] === 'household') Object.assign(doc, { type: 'contact', contact_type: 'household' });

const admin = { username: 'admin', password: randomBytes(8).toString('hex') };
const server = await startEmbeddedServer({ admin, storage: { kind: 'memory', namespace: 'bench-lineage' } });
const nano = Nano(server.url.replace('//', `//${admin.username}:${admin.password}@`));
await nano.db.create('medic');
for (let i = 0; i < docs.length; i += 2_000) await nano.use('medic').bulk({ docs: docs.slice(i, i + 2_000) });
const db = new PouchDB(`${server.url}/medic`, { auth: admin }) as unknown as PouchDB.Database & PouchLike;
await installShortcodeIndex(db);
await db.query(SHORTCODE_VIEW, { limit: 1 }); // build the index before timing
console.log(`loaded ${docs.length} docs (${people.length} people, 20,000 reports)`);

const byId = new Map(docs.map((d) => [d._id, d]));
const batch = [
  ...docs.filter((d) => d['type'] === 'data_record').slice(0, 500),
  ...docs.filter((d) => d['type'] === 'person').filter((_, i) => i % 30 === 0).slice(0, 300),
  ...docs.filter((d) => d['contact_type'] === 'household').slice(0, 200),
].map((d) => byId.get(d._id) as StoredDoc);

/** Per-document hydration: one request per parent, primary contact, author and patient. */
async function perDocument(list: readonly StoredDoc[]): Promise<{ docs: unknown[]; requests: number }> {
  let requests = 0;
  const get = async (id: string): Promise<Record<string, unknown> | undefined> => {
    requests += 1;
    return db.get(id).catch(() => undefined) as Promise<Record<string, unknown> | undefined>;
  };
  const chain = async (ref: unknown): Promise<unknown> => {
    const id = (ref as Ref | undefined)?._id;
    if (!id) return ref;
    const doc = await get(id);
    if (!doc) return ref;
    const out: Record<string, unknown> = { ...doc, parent: await chain((ref as Ref).parent) };
    const contactId = (doc['contact'] as Ref | undefined)?._id;
    if (contactId) out['contact'] = (await get(contactId)) ?? doc['contact'];
    return out;
  };
  const out: unknown[] = [];
  for (const doc of list) {
    const hydrated: Record<string, unknown> = { ...doc, parent: await chain(doc['parent']) };
    if (doc['type'] === 'data_record') {
      const author = doc['contact'] as Ref;
      hydrated['contact'] = { ...(await get(author._id)), parent: await chain(author.parent) };
      const fields = doc['fields'] as { patient_id?: string; patient_uuid?: string };
      let patient: Record<string, unknown> | undefined;
      if (fields.patient_id) {
        requests += 1;
        const rows = (await db.query(SHORTCODE_VIEW, { key: fields.patient_id, include_docs: true })).rows;
        patient = rows[0]?.doc as Record<string, unknown> | undefined;
      } else if (fields.patient_uuid) patient = await get(fields.patient_uuid);
      if (patient) hydrated['patient'] = { ...patient, parent: await chain(patient['parent']) };
    }
    out.push(hydrated);
  }
  return { docs: out, requests };
}

async function time<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
}

// Warm both paths once, then time them alternately.
await perDocument(batch.slice(0, 20));
await hydrate(batch.slice(0, 20), pouchSource(db));
const batched: number[] = [];
const single: number[] = [];
let requests = 0;
let perDocRequests = 0;
for (let round = 0; round < 3; round += 1) {
  const source = pouchSource(db);
  const ours = await time(() => hydrate(batch, source));
  if (ours.value.problems.length > 0) throw new Error(`unexpected problems: ${JSON.stringify(ours.value.problems.slice(0, 3))}`);
  batched.push(ours.ms);
  requests = source.stats.requests;
  if (round < 2) {
    const theirs = await time(() => perDocument(batch));
    single.push(theirs.ms);
    perDocRequests = theirs.value.requests;
  }
}
const b = Math.min(...batched);
const s = Math.min(...single);
await server.close();
console.log(`batched: ${b.toFixed(0)} ms for ${batch.length} docs (${Math.round(batch.length / (b / 1000))} docs/s), ${requests} requests`);
console.log(`per-document: ${s.toFixed(0)} ms (${Math.round(batch.length / (s / 1000))} docs/s), ${perDocRequests} requests`);
console.log(`lineage: ratio=${(s / b).toFixed(1)} per-doc/batched over HTTP requests=${requests} (goal >= 20, requests <= 13)`);
