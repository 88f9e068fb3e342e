/**
 * `fieldsync demo` (what `npm start` runs): the offline-first flow told with real calls on an
 * in-memory embedded server with the sync gateway: a seeded CHT database, two CHWs and their
 * supervisor syncing devices, an offline report, a forged push refused, access revoked. Each step
 * prints one or two lines a person can follow.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { generateDataSet } from '../seed/dataset.js';
import type { SeedUser } from '../seed/dataset.js';
import type { CalendarDate, ContactId, TargetDoc, TaskDoc, UserSettingsId } from '../codecs/index.js';
import { hydrate } from '../lineage/index.js';
import { pouchSource } from '../sources/index.js';
import type { PouchLike } from '../sources/index.js';
import { createSyncClient } from '../sync/client/index.js';
import { aggregateTargets, periodBounds, reportingPeriod, targetDocToWrite, targetRule, TargetStore } from '../targets/index.js';
import { calendarDates, definitionRule, emissionsFor, planTaskWrites } from '../tasks/index.js';
import type { RuleContact, RuleReport } from '../tasks/index.js';
import type { Denied, SyncClient } from '../sync/client/index.js';
import { startServerWithGateway } from './gateway.js';

/** Node's PouchDB with the memory adapter: devices in the demo keep nothing on disk. */
function loadPouchDB(): PouchDB.Static {
  const require = createRequire(import.meta.url);
  const PouchDB = require('pouchdb') as PouchDB.Static;
  return PouchDB.plugin<object>(require('pouchdb-adapter-memory') as PouchDB.Plugin);
}

interface Device {
  readonly user: SeedUser;
  readonly local: PouchDB.Database<Record<string, unknown>>;
  readonly client: SyncClient;
}

/** Runs the demo; resolves when every step has run, rejects on the first failure. */
export async function demo(log: (line: string) => void, now: () => number = Date.now): Promise<void> {
  const admin = { username: 'admin', password: randomBytes(9).toString('base64url') };
  const started = await startServerWithGateway({ admin, storage: { kind: 'memory' } });
  const { server } = started;
  const auth = { authorization: `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}`, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown): Promise<void> => {
    const res = await fetch(`${server.url}/${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  };
  try {
    log(`1. embedded CouchDB-compatible server on ${server.url}, sync gateway at ${started.gatewayUrl('medic')}`);
    await started.prepare();
    const anonymous = await fetch(`${server.url}/medic/_all_docs`);
    const data = generateDataSet({ size: 'small', seed: 1, now: now() });
    await post('medic/_bulk_docs', { docs: data.medic });
    await fetch(`${server.url}/_users`, { method: 'PUT', headers: auth });
    for (const user of data.users) await post('_users', user);
    log(`2. seeded "medic": ${data.medic.length} docs and ${data.users.length} users; a direct read without credentials gets ${anonymous.status}`);

    const PouchDB = loadPouchDB();
    const devices: Device[] = data.credentials.map((user) => {
      const local = new PouchDB<Record<string, unknown>>(`device-${user.name}-${now()}`, { adapter: 'memory' });
      return { user, local, client: createSyncClient({ local, url: started.gatewayUrl('medic'), auth: { username: user.name, password: user.password }, batchSize: 25 }) };
    });
    for (const device of devices) {
      // Progress as a UI would show it: every batch that arrives.
      const steps: string[] = [];
      const stop = device.client.on('progress', ({ done, total }) => { if (done > 0) steps.push(`${Math.round((done * 100) / total)}%`); });
      const result = await device.client.sync();
      stop();
      const held = (await device.local.info()).doc_count;
      log(`3. ${device.user.name} (${device.user.role}) synced [${steps.join(' ')}]: ${held} docs on the device, exactly the ${result.pull.listed} the rules allow (state: ${result.state})`);
    }

    const chw = devices.find((d) => d.user.role === 'chw');
    const other = devices.find((d) => d.user.role === 'chw' && d !== chw);
    const supervisor = devices.find((d) => d.user.role === 'supervisor');
    if (!chw || !other || !supervisor) throw new Error('the data set has no two CHWs and a supervisor');
    const all = (await chw.local.allDocs({ include_docs: true })).rows.flatMap((r) => (r.doc ? [r.doc] : []));
    const patient = all.find((d) => d['type'] === 'person' && d._id !== chw.user.contactId && d['role'] === undefined);
    if (!patient) throw new Error('the CHW has no patient');
    const userId = `org.couchdb.user:${chw.user.name}` as UserSettingsId;
    const dates = calendarDates('UTC');
    const reportsAbout = (id: string): RuleReport[] => all.filter((d) => d['type'] === 'data_record' && (d['fields'] as { patient_uuid?: string } | undefined)?.patient_uuid === id);
    const followUp = definitionRule<RuleContact, RuleReport>([{
      name: 'follow-up', title: 'Follow-up visit', appliesTo: 'contacts', appliesIf: (s) => s.contact._id === patient._id,
      events: [{ dueDate: () => now(), start: 1, end: 3 }], actions: [{ form: 'home_visit' }],
    }], dates);
    const planTasks = async (reports: RuleReport[]): Promise<string> => {
      const existing = (await chw.local.allDocs({ include_docs: true, startkey: 'task~', endkey: 'task~\uffff' })).rows.flatMap((r) => (r.doc ? [r.doc as unknown as TaskDoc] : []));
      const emissions = emissionsFor([followUp], [{ contact: patient, reports }]);
      const { writes } = planTaskWrites({ user: userId, now: now(), dates, existing, emissions });
      if (writes.length > 0) await chw.local.bulkDocs(writes as unknown as Array<Record<string, unknown>>);
      return writes.map((w) => w.state).join(', ') || 'no change';
    };
    log(`4. tasks for ${chw.user.name}: the follow-up of ${String(patient['name'])} is ${await planTasks(reportsAbout(patient._id))}`);

    const visit = {
      _id: `visit-${now()}`, type: 'data_record', form: 'home_visit', reported_date: now(),
      contact: { _id: chw.user.contactId, parent: (all.find((d) => d._id === chw.user.contactId) as { parent?: unknown } | undefined)?.parent }, fields: { patient_uuid: patient._id, visited: 'yes' },
    };
    await chw.local.put(visit);
    const { docs: [hydrated] } = await hydrate([visit], pouchSource(chw.local as unknown as PouchLike));
    const h = hydrated as unknown as { patient?: { name?: string; parent?: { name?: string; parent?: { name?: string } } }; contact?: { name?: string } };
    log(`5. offline, ${chw.user.name} recorded a visit; hydrated on the device: ${h.patient?.name ?? '?'} of ${h.patient?.parent?.name ?? '?'}, ${h.patient?.parent?.parent?.name ?? '?'}, by ${h.contact?.name ?? '?'}`);
    log(`6. the visit resolves the task: ${await planTasks([...reportsAbout(patient._id), visit])}`);

    const period = reportingPeriod(dates.dateOf(now()) as CalendarDate, 1);
    const visits = targetRule<RuleContact, RuleReport>([{ id: 'visits', type: 'count', appliesTo: 'reports', appliesToType: ['home_visit'], idType: 'report', date: 'reported', aggregate: true }]);
    const store = new TargetStore([{ id: 'visits', type: 'count', aggregate: true }], periodBounds(period, dates));
    const reports = [...all.filter((d) => d['type'] === 'data_record'), visit] as unknown as RuleReport[];
    store.replace(chw.user.contactId, visits({ contact: { _id: chw.user.contactId }, reports }, now()));
    const targetDoc = targetDocToWrite({ user: userId, owner: chw.user.contactId as ContactId, period: period.period, values: store.values(), now: now(), dates });
    if (targetDoc) await chw.local.put(targetDoc as unknown as Record<string, unknown> & { _id: string });
    log(`7. targets for ${chw.user.name} in ${period.period}: ${store.values().map((v) => `${v.id} ${v.value.pass}/${v.value.total}`).join(', ')}`);

    const pushed = await chw.client.sync();
    const seen = await supervisor.client.sync();
    const supervisorDocs = (await supervisor.local.allDocs({ include_docs: true })).rows.flatMap((r) => (r.doc ? [r.doc] : []));
    const chws = supervisorDocs.filter((d) => d['type'] === 'person' && d['role'] === 'chw').map((d) => d._id);
    const [aggregate] = aggregateTargets([{ id: 'visits', type: 'count', aggregate: true }], supervisorDocs.filter((d) => d['type'] === 'target') as unknown as TargetDoc[], chws, period.period);
    log(`8. ${chw.user.name} synced: ${pushed.push.written} pushed (visit, task, target); ${supervisor.user.name} pulled ${seen.pull.downloaded} and sees visits ${aggregate?.total.pass ?? 0} over ${chws.length} CHWs`);

    const theirs = (await other.local.allDocs({ include_docs: true })).rows.find((r) => r.doc?.['type'] === 'person')?.doc;
    await chw.local.put({
      _id: `forged-${now()}`, type: 'data_record', form: 'home_visit', reported_date: now(),
      contact: { _id: chw.user.contactId }, fields: { patient_uuid: theirs?._id ?? 'someone-else' },
    });
    const denied: Denied[] = [];
    const stop = chw.client.on('denied', (d) => denied.push(d));
    await chw.client.sync();
    stop();
    log(`9. a report about a patient of ${other.user.name} was refused: ${denied.map((d) => `${d.id}: ${d.reason}`).join('; ') || 'NOT REFUSED'}`);

    const settingsRes = await fetch(`${server.url}/medic/org.couchdb.user:${chw.user.name}`, { headers: auth });
    const settings = (await settingsRes.json()) as Record<string, unknown>;
    await fetch(`${server.url}/medic/org.couchdb.user:${chw.user.name}`, { method: 'PUT', headers: auth, body: JSON.stringify({ ...settings, facility_id: other.user.facilityId }) });
    let removed = 0;
    chw.client.on('removed', () => { removed += 1; });
    const moved = await chw.client.sync();
    log(`10. ${chw.user.name} was moved to ${other.user.name}'s area: ${removed} docs left the device, ${moved.pull.downloaded} arrived; it now holds ${(await chw.local.info()).doc_count}`);
    log('next: `npx fieldsync serve` runs this server persistently; docs/sync.md shows how an app syncs.');
  } finally {
    await server.close();
  }
  log('done: the embedded server stopped cleanly.');
}
