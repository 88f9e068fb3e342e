/**
 * Batch hydration against cht-core's own two ways, all over HTTP to the embedded server, on the
 * same data in one process.
 *
 * Data: a 5-level hierarchy (district > 10 health centres > 50 areas > 2,000 households > 10,000
 * people), each place with a primary contact, and 20,000 reports naming their patient by shortcode
 * or uuid. The batch: 1,000 mixed docs (500 reports, 300 people, 200 households).
 * cht-core per document (`fetchHydratedDoc`, one document after the other): get the document, one
 * allDocs for its ancestors, for a report the shortcode query, the patient and the patient's
 * lineage (allDocs, then its parents and contacts), and one allDocs for the primary contacts not yet
 * read: 3 requests for a contact, 7 for a report with a patient. cht-core batched (`hydrateDocs`):
 * the shortcode query, the subjects, the parents and contacts, the contacts of those (4 requests),
 * then every lookup a linear search over the documents read and every attached document a JSON
 * deep copy, as cht-core does. Both are written here after cht-core's algorithms, reading through
 * the same shortcode view (cht-core's contacts_by_reference answers the same keys).
 * fieldsync reads through its lineage view (installShortcodeIndex installs it with the shortcode
 * view; pouchSource's default over HTTP): contacts by id or shortcode, each with its primary contact,
 * so 2 requests; the same batch without the view (by id, `lineageView: false`) is timed beside it and
 * printed for reference. Every view is built before timing, as a deployment's views are.
 *
 * Ratios: cht-core per-document time / batched time (goal >= 20) and cht-core batched requests /
 * batched requests (goal >= 1.5), with batched time for reference.
 */
import { randomBytes } from 'node:crypto';
import Nano from 'nano';
import PouchDB from 'pouchdb';
import { startEmbeddedServer } from '../lib/embedded-server/index.js';
import { hydrate } from '../lib/lineage/index.js';
import { installShortcodeIndex, LINEAGE_VIEW, pouchSource, SHORTCODE_VIEW } from '../lib/sources/index.js';
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
await db.query(SHORTCODE_VIEW, { limit: 1 }); // build the indexes before timing
await db.query(LINEAGE_VIEW, { limit: 1 });
console.log(`loaded ${docs.length} docs (${people.length} people, 20,000 reports)`);

const byId = new Map(docs.map((d) => [d._id, d]));
const batch = [
  ...docs.filter((d) => d['type'] === 'data_record').slice(0, 500),
  ...docs.filter((d) => d['type'] === 'person').filter((_, i) => i % 30 === 0).slice(0, 300),
  ...docs.filter((d) => d['contact_type'] === 'household').slice(0, 200),
].map((d) => byId.get(d._id) as StoredDoc);

type Doc = Record<string, unknown> & { _id: string };
const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const chainOf = (ref: unknown): string[] => {
  const ids: string[] = [];
  for (let r = ref as Ref | undefined; r && typeof r._id === 'string'; r = r.parent) ids.push(r._id);
  return ids;
};
const refOf = (ref: unknown): string | undefined => (typeof ref === 'string' ? ref : (ref as Ref | undefined)?._id);
const subjectRef = (doc: Doc): string | undefined => {
  const fields = (doc['fields'] ?? {}) as Record<string, unknown>;
  return (fields['patient_id'] ?? fields['patient_uuid'] ?? doc['patient_id']) as string | undefined;
};

/** Rebuilds a parent chain from read documents, each level a deep copy with its primary contact. */
function fill(ids: readonly string[], find: (id: string) => Doc | undefined): unknown {
  let above: unknown;
  for (let i = ids.length - 1; i >= 0; i -= 1) {
    const id = ids[i] as string;
    const found = find(id);
    const level: Doc = found ? copy(found) : { _id: id };
    const contact = found ? find(refOf(found['contact']) ?? '') : undefined;
    if (contact) level['contact'] = copy(contact);
    if (above === undefined) delete level['parent'];
    else level['parent'] = above;
    above = level;
  }
  return above;
}

/** cht-core's fetchHydratedDoc, one document after the other. */
async function chtPerDocument(list: readonly StoredDoc[]): Promise<{ docs: unknown[]; requests: number }> {
  let requests = 0;
  const allDocs = async (keys: readonly string[]): Promise<Doc[]> => {
    if (keys.length === 0) return [];
    requests += 1;
    const { rows } = await db.allDocs({ keys: [...new Set(keys)], include_docs: true });
    return rows.flatMap((row) => ('doc' in row && row.doc ? [row.doc as unknown as Doc] : []));
  };
  const out: unknown[] = [];
  for (const { _id } of list) {
    requests += 1;
    const doc = (await db.get(_id)) as unknown as Doc;
    const isReport = doc['type'] === 'data_record';
    const startRef = isReport ? doc['contact'] : doc['parent'];
    const lineage = await allDocs(isReport ? chainOf(startRef) : chainOf(startRef));
    const known = new Map(lineage.map((d) => [d._id, d]));
    const hydrated: Doc = copy(doc);
    let patient: Doc | undefined;
    let patientLineage: Doc[] = [];
    const ref = isReport ? subjectRef(doc) : undefined;
    if (ref) {
      requests += 1;
      const { rows } = await db.query(SHORTCODE_VIEW, { keys: [ref] });
      const uuid = rows[0]?.id ?? ref;
      [patient] = await allDocs([uuid]);
      if (patient) {
        patientLineage = await allDocs(chainOf(patient['parent']));
        for (const d of patientLineage) known.set(d._id, d);
        const contacts = await allDocs(patientLineage.map((d) => refOf(d['contact']) ?? '').filter((id) => id && !known.has(id)));
        for (const d of contacts) known.set(d._id, d);
      }
    }
    const contacts = await allDocs([...lineage, ...patientLineage].map((d) => refOf(d['contact']) ?? '').filter((id) => id && !known.has(id)));
    for (const d of contacts) known.set(d._id, d);
    const find = (id: string): Doc | undefined => known.get(id);
    if (isReport) {
      const [authorId, ...above] = chainOf(startRef);
      const author = authorId ? find(authorId) : undefined;
      hydrated['contact'] = { ...(author ? copy(author) : { _id: authorId }), parent: fill(above, find) };
      if (patient) hydrated['patient'] = { ...copy(patient), parent: fill(chainOf(patient['parent']), find) };
    } else {
      hydrated['parent'] = fill(chainOf(startRef), find);
      const own = find(refOf(doc['contact']) ?? '');
      if (own) hydrated['contact'] = copy(own);
    }
    out.push(hydrated);
  }
  return { docs: out, requests };
}

/** cht-core's hydrateDocs over the whole batch: 4 requests, linear lookups, deep copies. */
async function chtBatched(list: readonly StoredDoc[]): Promise<{ docs: unknown[]; requests: number }> {
  let requests = 0;
  const allDocs = async (keys: readonly string[]): Promise<Doc[]> => {
    const unique = [...new Set(keys.filter((k) => k))];
    if (unique.length === 0) return [];
    requests += 1;
    const { rows } = await db.allDocs({ keys: unique, include_docs: true });
    return rows.flatMap((row) => ('doc' in row && row.doc ? [row.doc as unknown as Doc] : []));
  };
  const docs = copy(list) as Doc[];
  const known: Doc[] = [...docs];
  const refs = docs.filter((d) => d['type'] === 'data_record').map(subjectRef).filter((r): r is string => r !== undefined);
  const uuidOf = new Map<string, string>();
  if (refs.length > 0) {
    requests += 1;
    const { rows } = await db.query(SHORTCODE_VIEW, { keys: [...new Set(refs)] });
    for (const row of rows) uuidOf.set(row.key as string, row.id);
  }
  const subjects = await allDocs(refs.map((r) => uuidOf.get(r) ?? r));
  known.push(...subjects);
  const parentIds = (d: Doc): string[] => (d['type'] === 'data_record' ? chainOf(d['contact']) : chainOf(d['parent']));
  const leafContacts = (d: Doc): string[] => [refOf(d['contact']) ?? ''];
  const first = await allDocs([...docs, ...subjects].flatMap((d) => [...parentIds(d), ...leafContacts(d)]));
  known.push(...first);
  const second = await allDocs(first.map((d) => refOf(d['contact']) ?? '').filter((id) => !known.some((k) => k._id === id)));
  known.push(...second);
  const find = (id: string): Doc | undefined => known.find((k) => k._id === id);
  const out = docs.map((doc) => {
    const hydrated: Doc = copy(doc);
    if (doc['type'] === 'data_record') {
      const [authorId, ...above] = chainOf(doc['contact']);
      const author = authorId ? find(authorId) : undefined;
      hydrated['contact'] = { ...(author ? copy(author) : { _id: authorId }), parent: fill(above, find) };
      const ref = subjectRef(doc);
      const patient = ref ? find(uuidOf.get(ref) ?? ref) : undefined;
      if (patient) hydrated['patient'] = { ...copy(patient), parent: fill(chainOf(patient['parent']), find) };
    } else {
      hydrated['parent'] = fill(chainOf(doc['parent']), find);
      const own = find(refOf(doc['contact']) ?? '');
      if (own) hydrated['contact'] = copy(own);
    }
    return hydrated;
  });
  return { docs: out, requests };
}

async function time<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
}

// Warm every path once, then time them alternately.
await chtPerDocument(batch.slice(0, 20));
await chtBatched(batch.slice(0, 20));
await hydrate(batch.slice(0, 20), pouchSource(db));
await hydrate(batch.slice(0, 20), pouchSource(db, { lineageView: false }));
const batched: number[] = [];
const idOnly: number[] = [];
let byIdRequests = 0;
const perDoc: number[] = [];
const chtBatch: number[] = [];
let requests = 0;
let perDocRequests = 0;
let chtBatchRequests = 0;
for (let round = 0; round < 3; round += 1) {
  const source = pouchSource(db);
  const ours = await time(() => hydrate(batch, source));
  if (ours.value.problems.length > 0) throw new Error(`unexpected problems: ${JSON.stringify(ours.value.problems.slice(0, 3))}`);
  batched.push(ours.ms);
  requests = source.stats.requests;
  const idSource = pouchSource(db, { lineageView: false });
  const withoutView = await time(() => hydrate(batch, idSource));
  if (withoutView.value.problems.length > 0) throw new Error('unexpected problems without the view');
  idOnly.push(withoutView.ms);
  byIdRequests = idSource.stats.requests;
  const theirBatch = await time(() => chtBatched(batch));
  chtBatch.push(theirBatch.ms);
  chtBatchRequests = theirBatch.value.requests;
  if (round < 2) {
    const theirs = await time(() => chtPerDocument(batch));
    perDoc.push(theirs.ms);
    perDocRequests = theirs.value.requests;
  }
}
const b = Math.min(...batched);
const s = Math.min(...perDoc);
const cb = Math.min(...chtBatch);
await server.close();
console.log(`batched: ${b.toFixed(0)} ms for ${batch.length} docs (${Math.round(batch.length / (b / 1000))} docs/s), ${requests} requests`);
const bi = Math.min(...idOnly);
console.log(`fieldsync without the lineage view (by id): ${bi.toFixed(0)} ms, ${byIdRequests} requests (per-doc ratio ${(s / bi).toFixed(1)})`);
console.log(`cht-core per document (fetchHydratedDoc): ${s.toFixed(0)} ms (${Math.round(batch.length / (s / 1000))} docs/s), ${perDocRequests} requests (${(perDocRequests / batch.length).toFixed(1)} a document)`);
console.log(`cht-core batched (hydrateDocs): ${cb.toFixed(0)} ms, ${chtBatchRequests} requests (time ratio ${(cb / b).toFixed(1)})`);
console.log(`lineage: ratio=${(s / b).toFixed(1)} cht-per-doc/batched (goal >= 20) requests-ratio=${(chtBatchRequests / requests).toFixed(2)} cht-hydrateDocs/batched (goal >= 1.5)`);
