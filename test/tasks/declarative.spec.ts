import assert from 'node:assert/strict';
import type { ContactId } from '../../lib/codecs/index.js';
import { calendarDates, definitionRule, fingerprint, FieldsyncTaskError, markFresh, refreshDue } from '../../lib/tasks/index.js';
import type { TaskDefinition, TaskSubject } from '../../lib/tasks/index.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 10, 9);
const dates = calendarDates('UTC');

type Contact = { _id: string; type: string; contact_type?: string; name?: string; reported_date?: number; deleted?: boolean };
type Report = { _id: string; form: string; reported_date: number; fields?: Record<string, unknown>; deleted?: boolean };

const pregnancyVisit: TaskDefinition<Contact, Report> = {
  name: 'pregnancy-visit',
  title: 'task.pregnancy_visit',
  appliesTo: 'reports',
  appliesToType: ['pregnancy'],
  appliesIf(subject, report) { this['lmp'] = report?.fields?.['lmp']; return subject.contact.type === 'person'; },
  events: [{ id: 'first', days: 7, start: 2, end: 3 }, { id: 'second', days: 28, start: 3, end: 7 }],
  actions: [{ form: 'pregnancy_visit', modifyContent(content) { content['lmp'] = this['lmp']; } }],
  priority: { level: 'high', label: 'High risk' },
};

const householdCheck: TaskDefinition<Contact, Report> = {
  name: 'household-check',
  appliesTo: 'contacts',
  appliesToType: ['household'],
  resolvedIf: (subject) => subject.reports.some((r) => r.form === 'household_survey'),
  contactLabel: 'The family',
  events: [{ dueDate: () => '2026-01-20', start: 1, end: 1 }],
  actions: [{ form: 'household_survey', label: 'Survey' }],
};

const mother: Contact = { _id: 'mother', type: 'person', name: 'Amina', reported_date: T0 - 100 * DAY };
const pregnancy: Report = { _id: 'preg-1', form: 'pregnancy', reported_date: T0, fields: { lmp: '2025-11-01' } };

describe('tasks.js definitions as emissions', () => {
  const rule = definitionRule([pregnancyVisit, householdCheck], dates);

  it('emits one task per event of each matching report, with cht-conf\'s ids (<source>~<event id>~<task name>), due at local midnight, priority and actions', () => {
    const emissions = rule({ contact: mother, reports: [pregnancy] });
    assert.deepEqual(emissions.map((e) => e._id), ['preg-1~first~pregnancy-visit', 'preg-1~second~pregnancy-visit']);
    const [first] = emissions;
    assert.deepEqual(first?.date, new Date(Date.UTC(2026, 0, 17)), 'Utils.addDate: the local day of reported_date plus 7, at midnight');
    assert.equal(first?.readyStart, 2);
    assert.equal(first?.readyEnd, 3);
    assert.equal(first?.resolved, false);
    assert.equal(first?.priority, 'high');
    assert.equal(first?.priorityLabel, 'High risk');
    assert.deepEqual(first?.contact, { _id: 'mother', name: 'Amina' });
    const action = first?.actions?.[0];
    assert.equal(action?.form, 'pregnancy_visit');
    assert.equal(action?.content?.['lmp'], '2025-11-01', 'modifyContent sees what appliesIf left on this');
    assert.equal(action?.content?.contact?._id, 'mother');
  });

  it('is resolved by a report of the first action\'s form inside the window, after the source report', () => {
    const inWindow = { _id: 'v1', form: 'pregnancy_visit', reported_date: T0 + 6 * DAY };
    const tooEarly = { _id: 'v0', form: 'pregnancy_visit', reported_date: T0 + 2 * DAY };
    const [resolved] = rule({ contact: mother, reports: [pregnancy, inWindow] });
    const [open] = rule({ contact: mother, reports: [pregnancy, tooEarly] });
    assert.equal(resolved?.resolved, true);
    assert.equal(open?.resolved, false);
  });

  it('marks emissions of a deleted source as deleted and ignores other forms and contact types', () => {
    const [deleted] = rule({ contact: mother, reports: [{ ...pregnancy, deleted: true }] });
    assert.equal(deleted?.deleted, true);
    assert.deepEqual(rule({ contact: mother, reports: [{ ...pregnancy, form: 'delivery' }] }), []);
    assert.deepEqual(rule({ contact: { ...mother, type: 'clinic' }, reports: [pregnancy] }), [], 'appliesIf false');
  });

  it('emits contact tasks by contact_type, with a dueDate function, contactLabel and resolvedIf', () => {
    const household: Contact = { _id: 'h1', type: 'contact', contact_type: 'household', name: 'House 1' };
    const [task] = rule({ contact: household, reports: [] });
    assert.equal(task?._id, 'h1~0~household-check', 'an event without an id is named by its index');
    assert.equal(task?.date, '2026-01-20');
    assert.deepEqual(task?.contact, { _id: 'h1', name: 'The family' });
    assert.equal(task?.actions?.[0]?.label, 'Survey');
    const [done] = rule({ contact: household, reports: [{ _id: 's', form: 'household_survey', reported_date: T0 }] });
    assert.equal(done?.resolved, true);
  });

  it('refuses definitions it cannot run, naming every problem', () => {
    const bad = [
      { name: 'a~b', appliesTo: 'scheduled_tasks', events: [{}], actions: [] },
      { name: 'x', appliesTo: 'reports', events: [{ days: 1, start: -1 }], actions: [{ form: '' }] },
    ] as unknown as TaskDefinition[];
    assert.throws(() => definitionRule(bad, dates), (err: unknown) => {
      assert.ok(err instanceof FieldsyncTaskError);
      const fields = err.problems.map((p) => (p.kind === 'invalid-task-definition' ? `${p.task}:${p.field}` : p.kind));
      assert.deepEqual(fields.sort(), ['a~b:name', 'a~b:appliesTo', 'a~b:events[0]', 'a~b:actions', 'x:events[0].start', 'x:actions[0].form', 'x:resolvedIf'].sort());
      return true;
    });
  });
});

describe('when a requester is due for a refresh', () => {
  const a = 'a' as ContactId;
  const b = 'b' as ContactId;
  const now = T0;
  const state = markFresh(new Map(), new Map([[a, 'fa'], [b, 'fb']]), now - DAY);

  it('after its data changed, and only then', () => {
    assert.deepEqual(refreshDue(state, new Map([[a, 'fa'], [b, 'changed']]), { now }).due, ['b']);
  });

  it('after 7 days even without a change, not after 6', () => {
    assert.deepEqual(refreshDue(state, new Map(), { now: now - DAY + 6 * DAY }).due, []);
    assert.deepEqual([...refreshDue(state, new Map(), { now: now - DAY + 7 * DAY }).due].sort(), ['a', 'b']);
  });

  it('when the clock went backwards, and forgets requesters that are gone', () => {
    assert.deepEqual([...refreshDue(state, new Map(), { now: now - 2 * DAY }).due].sort(), ['a', 'b']);
    assert.deepEqual(refreshDue(state, new Map([[a, 'fa']]), { now, complete: true }).gone, ['b']);
  });

  it('fingerprints a contact\'s documents by id and revision, in any order', () => {
    const docs = [{ _id: 'x', _rev: '1-a' }, { _id: 'y', _rev: '2-b' }];
    assert.equal(fingerprint(docs), fingerprint([...docs].reverse()));
    assert.notEqual(fingerprint(docs), fingerprint([{ _id: 'x', _rev: '2-c' }, { _id: 'y', _rev: '2-b' }]));
    assert.notEqual(fingerprint(docs), fingerprint(docs.slice(1)));
  });
});

describe('a full refresh from definitions', () => {
  it('turns subjects into emissions per requester, ready for planTaskWrites', async () => {
    const { emissionsFor, planTaskWrites } = await import('../../lib/tasks/index.js');
    const rule = definitionRule([pregnancyVisit], dates);
    const subjects: Array<TaskSubject<Contact, Report>> = [{ contact: mother, reports: [pregnancy] }, { contact: { _id: 'nobody', type: 'person' }, reports: [] }];
    const emissions = emissionsFor([rule], subjects);
    assert.deepEqual([...emissions.keys()], ['mother', 'nobody']);
    const { writes } = planTaskWrites({ user: 'org.couchdb.user:amy' as never, now: T0 + 6 * DAY, dates, existing: [], emissions });
    assert.deepEqual(writes.map((w) => [w.emission._id, w.state]), [['preg-1~first~pregnancy-visit', 'Ready'], ['preg-1~second~pregnancy-visit', 'Draft']]);
  });
});
