/**
 * A CHW's phone in a browser: sign in, sync into IndexedDB through the gateway with a progress bar
 * and a sync-state badge, then see contacts (hydrated), tasks and targets computed on the device.
 * Everything shown is read from the local database, so it keeps working with the server stopped;
 * "Visit" records a report locally and the next sync pushes it.
 * (An app imports from 'fieldsync'; this example uses the lib path so it runs from the repository.)
 */
import PouchDB from 'pouchdb-browser';
import indexedDbAdapter from 'pouchdb-adapter-indexeddb';
import {
  calendarDates, createSyncClient, definitionRule, emissionsFor, hydrate, periodBounds, planTaskWrites, pouchSource, reportingPeriod, targetRule, TargetStore,
} from 'fieldsync';
import type { CalendarDate, RuleContact, RuleReport, StoredDoc, SyncClient, TaskDoc, UserSettingsId } from 'fieldsync';

PouchDB.plugin(indexedDbAdapter);
const DAY = 86_400_000;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const dates = calendarDates();

type Doc = StoredDoc & { type?: string; name?: string; role?: string; form?: string; reported_date?: number; patient_id?: string; fields?: { patient_uuid?: string; patient_id?: string } };

const followUps = definitionRule<RuleContact, RuleReport>([{
  name: 'monthly-visit', title: 'Monthly visit', appliesTo: 'contacts', appliesToType: ['person'],
  appliesIf: (s) => (s.contact as Doc).role === undefined,
  // Due 30 days after the last report about the person, or today when there was none for 30 days.
  events: [{ dueDate: (_e, s) => { const last = Math.max(0, ...s.reports.map((r) => r.reported_date ?? 0)); return last > renderedAt - 30 * DAY ? last + 30 * DAY : renderedAt; }, start: 3, end: 7 }],
  actions: [{ form: 'home_visit', label: 'Visit' }],
}], dates);
const visitTarget = targetRule<RuleContact, RuleReport>([{ id: 'visits', type: 'count', appliesTo: 'reports', appliesToType: ['home_visit'], idType: 'report', date: 'reported' }]);

let local: PouchDB.Database<Doc> | undefined;
/** The time of the current render: rules see one `now`. */
let renderedAt = Date.now();
let sync: SyncClient | undefined;
let user = '';

function list(id: string, items: string[]): void {
  $(id).replaceChildren(...items.map((text) => Object.assign(document.createElement('li'), { textContent: text })));
}

async function render(): Promise<void> {
  if (!local) return;
  const docs = (await local.allDocs({ include_docs: true })).rows.flatMap((r) => (r.doc ? [r.doc as Doc] : []));
  const people = docs.filter((d) => d.type === 'person');
  const { docs: hydrated } = await hydrate(people, pouchSource(local));
  $('contact-count').textContent = `${people.length} people on this device`;
  list('contacts', hydrated.slice(0, 12).map((p) => {
    const place = (p as { parent?: { name?: string; parent?: { name?: string } } }).parent;
    return `${String(p['name'])} · ${[place?.name, place?.parent?.name].filter(Boolean).join(', ')}`;
  }));

  const now = Date.now();
  renderedAt = now;
  const reports = docs.filter((d) => d.type === 'data_record') as unknown as RuleReport[];
  const subjects = people.map((p) => ({ contact: p, reports: reports.filter((r) => {
    const fields = (r as Doc).fields;
    return fields?.patient_uuid === p._id || (p.patient_id !== undefined && fields?.patient_id === p.patient_id);
  }) }));
  const existing = docs.filter((d) => d.type === 'task') as unknown as TaskDoc[];
  const { writes } = planTaskWrites({ user: `org.couchdb.user:${user}` as UserSettingsId, now, dates, existing, emissions: emissionsFor([followUps], subjects) });
  if (writes.length > 0) await local.bulkDocs(writes as unknown as Doc[]);
  const tasks = [...existing.filter((t) => !writes.some((w) => w._id === t._id)), ...writes].filter((t) => t.state === 'Ready');
  list('tasks', tasks.slice(0, 8).map((t) => `${String((t.emission as { title?: unknown }).title)} · ${String((t.emission as { contact?: { name?: string } }).contact?.name ?? t.owner)} · due ${String(t.emission.dueDate)}`));
  $('tasks').dataset['ready'] = String(tasks.length);
  const tasksList = $('tasks');
  for (const [i, task] of tasks.slice(0, 8).entries()) {
    const button = Object.assign(document.createElement('button'), { textContent: 'Visit', className: 'visit' });
    button.addEventListener('click', () => { void visit(task.owner); });
    tasksList.children[i]?.append(' ', button);
  }

  const period = reportingPeriod(dates.dateOf(now) as CalendarDate, 1);
  const store = new TargetStore([{ id: 'visits', type: 'count' }], periodBounds(period, dates));
  store.replace(user, visitTarget({ contact: { _id: user }, reports }, now));
  list('targets', store.values().map((v) => `${v.id} in ${period.period}: ${v.value.pass}`));
}

async function visit(patientId: string): Promise<void> {
  if (!local) return;
  await local.put({ _id: `visit-${Date.now()}`, type: 'data_record', form: 'home_visit', reported_date: Date.now(), fields: { patient_uuid: patientId } } as Doc);
  await render();
  await sync?.sync().catch(() => undefined);
}

async function signIn(event: Event): Promise<void> {
  event.preventDefault();
  user = $<HTMLInputElement>('username').value;
  const password = $<HTMLInputElement>('password').value;
  await sync?.stop();
  local = new PouchDB<Doc>(`fieldsync-${user}`, { adapter: 'indexeddb' });
  sync = createSyncClient({ local: local, url: `${location.origin}/fieldsync/medic`, auth: { username: user, password } });
  sync.on('state', (state) => { $('state').textContent = state; $('state').className = `badge ${state}`; });
  sync.on('progress', ({ done, total }) => { const bar = $<HTMLProgressElement>('progress'); bar.max = Math.max(1, total); bar.value = done; });
  try {
    const result = await sync.sync();
    $('sync-summary').textContent = `${result.pull.listed} documents on this device (${result.pull.downloaded} downloaded, ${result.push.written} sent)`;
  } catch (err) {
    $('sync-summary').textContent = `sync failed (${(err as { kind?: string }).kind ?? 'error'}); showing what is on the device`;
  }
  await render();
}

$('login-form').addEventListener('submit', (event) => { void signIn(event); });
(globalThis as unknown as { fieldsyncExample: unknown }).fieldsyncExample = { render, visit };
