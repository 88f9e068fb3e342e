/**
 * A realistic, deterministic CHT data set: a district > health centre > clinic (household) > person
 * hierarchy, reports of several forms over the year before `now`, XML forms, and users (a CHW per
 * health centre, a supervisor per district) with their `_users` and `user-settings` records.
 * Pure: the same options give the same documents.
 */
import { seededRandom } from './random.js';
import type { Random } from './random.js';

/** Named sizes; `large` is what the sync benchmark uses. */
export type SeedSize = 'small' | 'medium' | 'large';

/** Shape of the hierarchy for one size. */
interface SizeShape {
  readonly districts: number;
  readonly healthCentresPerDistrict: number;
  readonly clinicsPerHealthCentre: number;
  readonly peoplePerClinic: number;
  /** Total documents in the medic database (reports fill up to it). */
  readonly totalDocs: number;
}

const SHAPES: Readonly<Record<SeedSize, SizeShape>> = {
  small: { districts: 1, healthCentresPerDistrict: 2, clinicsPerHealthCentre: 3, peoplePerClinic: 4, totalDocs: 120 },
  medium: { districts: 2, healthCentresPerDistrict: 3, clinicsPerHealthCentre: 10, peoplePerClinic: 5, totalDocs: 5_000 },
  large: { districts: 2, healthCentresPerDistrict: 5, clinicsPerHealthCentre: 80, peoplePerClinic: 6, totalDocs: 100_000 },
};

/** A generated document (plain JSON). */
export type SeedDoc = { readonly _id: string } & Readonly<Record<string, unknown>>;

/** A user of the data set, with the password the seed gives them. */
export interface SeedUser {
  readonly name: string;
  readonly password: string;
  readonly role: 'chw' | 'supervisor';
  readonly facilityId: string;
  readonly contactId: string;
}

/** Everything `fieldsync seed` writes. */
export interface SeedDataSet {
  /** Contacts, reports, forms and user-settings for the `medic` database. */
  readonly medic: readonly SeedDoc[];
  /** `_users` records (with plain `password`, which CouchDB hashes on write). */
  readonly users: readonly SeedDoc[];
  readonly credentials: readonly SeedUser[];
}

/** Options of {@link generateDataSet}. */
export interface SeedOptions {
  readonly size: SeedSize;
  readonly seed: number;
  /** Reports are dated within the year before this instant (ms). */
  readonly now: number;
}

const FORMS = ['pregnancy', 'home_visit', 'delivery', 'immunization'] as const;
const FIRST_NAMES = ['Amina', 'Baraka', 'Chausiku', 'Dalila', 'Eshe', 'Faraji', 'Gathoni', 'Halima', 'Imani', 'Jabari', 'Kamaria', 'Lulu', 'Makena', 'Nia', 'Omari', 'Pendo'];
const DAY = 86_400_000;

type Ref = { readonly _id: string; readonly parent?: Ref };

function lineage(id: string, parent: Ref | undefined): Ref {
  return parent ? { _id: id, parent } : { _id: id };
}

function formDoc(name: string, reportedDate: number): SeedDoc {
  const xml = `<h:html xmlns:h="http://www.w3.org/1999/xhtml"><h:head><h:title>${name}</h:title><model><instance><${name} id="${name}"/></instance></model></h:head></h:html>`;
  return {
    _id: `form:${name}`,
    type: 'form',
    internalId: name,
    title: name.replace('_', ' '),
    reported_date: reportedDate,
    _attachments: { xml: { content_type: 'application/xml', data: btoa(xml) } },
  };
}

interface Builder {
  readonly random: Random;
  readonly now: number;
  readonly docs: SeedDoc[];
  shortcodes: number;
}

function person(b: Builder, parent: Ref, extra: Record<string, unknown> = {}): SeedDoc {
  b.shortcodes += 1;
  const doc: SeedDoc = {
    _id: b.random.uuid(),
    type: 'person',
    name: `${b.random.pick(FIRST_NAMES)} ${b.random.pick(FIRST_NAMES)}`,
    patient_id: String(10000 + b.shortcodes),
    date_of_birth: new Date(b.now - b.random.int(1, 60 * 365) * DAY).toISOString().slice(0, 10),
    sex: b.random.pick(['female', 'male']),
    parent,
    reported_date: b.now - b.random.int(200, 400) * DAY,
    ...extra,
  };
  b.docs.push(doc);
  return doc;
}

function place(b: Builder, type: string, name: string, parent: Ref | undefined, contactLineage?: Ref): SeedDoc {
  const doc: SeedDoc = {
    _id: b.random.uuid(),
    type,
    name,
    ...(parent ? { parent } : {}),
    ...(contactLineage ? { contact: contactLineage } : {}),
    reported_date: b.now - b.random.int(400, 700) * DAY,
  };
  b.docs.push(doc);
  return doc;
}

function report(b: Builder, subject: SeedDoc, author: Ref, from: string): SeedDoc {
  const form = b.random.pick(FORMS);
  const byShortcode = b.random.next() < 0.5;
  return {
    _id: b.random.uuid(),
    type: 'data_record',
    form,
    content_type: 'xml',
    from,
    contact: author,
    reported_date: b.now - b.random.int(0, 364) * DAY - b.random.int(0, DAY - 1),
    fields: {
      ...(byShortcode ? { patient_id: subject['patient_id'] } : { patient_uuid: subject._id }),
      patient_name: subject['name'],
      visited: b.random.next() < 0.8 ? 'yes' : 'no',
      ...(form === 'pregnancy' ? { lmp_date: new Date(b.now - b.random.int(10, 250) * DAY).toISOString().slice(0, 10) } : {}),
    },
  };
}

/** Generates the whole data set. */
export function generateDataSet(options: SeedOptions): SeedDataSet {
  const shape = SHAPES[options.size];
  const b: Builder = { random: seededRandom(options.seed), now: options.now, docs: [], shortcodes: 0 };
  const credentials: SeedUser[] = [];
  const patientsByChw: Array<{ chw: Ref; phone: string; patients: SeedDoc[] }> = [];

  for (let d = 1; d <= shape.districts; d += 1) {
    const district = place(b, 'district_hospital', `District ${d}`, undefined);
    const districtRef = lineage(district._id, undefined);
    const supervisor = person(b, districtRef, { role: 'supervisor', phone: `+2547000${d}0000` });
    credentials.push({ name: `supervisor${d}`, password: `supervisor${d}-pass`, role: 'supervisor', facilityId: district._id, contactId: supervisor._id });
    for (let h = 1; h <= shape.healthCentresPerDistrict; h += 1) {
      const centre = place(b, 'health_center', `Health Centre ${d}.${h}`, districtRef);
      const centreRef = lineage(centre._id, districtRef);
      const phone = `+2547${String(d).padStart(2, '0')}${String(h).padStart(2, '0')}00000`.slice(0, 13);
      const chw = person(b, centreRef, { role: 'chw', phone });
      const chwRef = lineage(chw._id, centreRef);
      credentials.push({ name: `chw${d}${h}`, password: `chw${d}${h}-pass`, role: 'chw', facilityId: centre._id, contactId: chw._id });
      const patients: SeedDoc[] = [];
      for (let c = 1; c <= shape.clinicsPerHealthCentre; c += 1) {
        const clinicId = b.random.uuid();
        const clinicRef = lineage(clinicId, centreRef);
        const members: SeedDoc[] = [];
        for (let p = 0; p < shape.peoplePerClinic; p += 1) members.push(person(b, clinicRef));
        const head = members[0];
        b.docs.push({
          _id: clinicId,
          type: 'clinic',
          name: `Household ${d}.${h}.${c}`,
          parent: centreRef,
          ...(head ? { contact: { _id: head._id, parent: clinicRef } } : {}),
          reported_date: options.now - b.random.int(300, 500) * DAY,
        });
        patients.push(...members);
      }
      patientsByChw.push({ chw: chwRef, phone, patients });
    }
  }

  const forms = FORMS.map((name) => formDoc(name, options.now - 700 * DAY));
  const settings = credentials.map((user) => ({
    _id: `org.couchdb.user:${user.name}`,
    type: 'user-settings',
    name: user.name,
    facility_id: user.facilityId,
    contact_id: user.contactId,
    roles: [user.role],
    known: true,
  }));
  const fixed = b.docs.length + forms.length + settings.length;
  const reportCount = Math.max(0, shape.totalDocs - fixed);
  const reports: SeedDoc[] = [];
  for (let i = 0; i < reportCount; i += 1) {
    const group = patientsByChw[i % patientsByChw.length];
    if (!group) break;
    reports.push(report(b, b.random.pick(group.patients), group.chw, group.phone));
  }
  const users = credentials.map((user) => ({
    _id: `org.couchdb.user:${user.name}`,
    type: 'user',
    name: user.name,
    password: user.password,
    roles: [user.role],
    facility_id: user.facilityId,
    contact_id: user.contactId,
  }));
  return { medic: [...b.docs, ...forms, ...settings, ...reports], users, credentials };
}
