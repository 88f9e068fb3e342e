/* eslint-disable -- a CHT project's tasks.js in cht-conf's CommonJS shape (globals Utils, user, cht), run by chtConfigModule */
// Written for fieldsync's tests in the shape of cht-core's config/default/tasks.js.
const { MS_IN_DAY, today, getField, isAlive, isSupervisor, inUsersArea } = require('./nools-extras');

module.exports = [
  {
    name: 'anc.visit',
    icon: 'icon-pregnancy',
    title: 'task.anc.visit.title',
    appliesTo: 'reports',
    appliesToType: ['pregnancy'],
    appliesIf: function (c, r) {
      // `this` is shared by the contact's reports: the pregnancies seen so far.
      this.seen = (this.seen || 0) + 1;
      return isAlive(c) && getField(r, 'miscarriage') !== 'yes';
    },
    actions: [{
      type: 'report',
      form: 'pregnancy_visit',
      label: 'ANC visit',
      modifyContent: function (content, c, r, event) {
        content.week = event.id;
        content.pregnancy_number = this.seen;
      },
    }],
    events: [
      { id: 'week-12', days: 84, start: 7, end: 14 },
      { id: 'week-20', days: 140, start: 7, end: 14 },
      { days: 196, start: 7, end: 14 },
    ],
    priority: function (c, r, event) {
      return event.id === 'week-20' ? { level: 'high', label: 'task.priority.high' } : null;
    },
  },
  {
    name: 'pnc.visit',
    icon: 'icon-pnc',
    title: 'task.pnc.title',
    appliesTo: 'reports',
    appliesToType: ['delivery'],
    resolvedIf: function (c, r, event, dueDate) {
      const end = Utils.addDate(dueDate, event.end + 1).getTime();
      // A truthy string, not a boolean.
      return Utils.isFormSubmittedInWindow(c.reports, 'pnc_visit', r.reported_date + 1, end) ? 'yes' : '';
    },
    actions: [{ form: 'pnc_visit' }],
    events: [{
      id: 'pnc-day-2',
      dueDate: function (event, c, r) { return Utils.addDate(new Date(r.reported_date), 2); },
      start: 1,
      end: 3,
    }],
  },
  {
    name: 'referral.follow_up',
    title: 'task.referral.title',
    appliesTo: 'reports',
    appliesToType: ['referral'],
    // Reads the module's `today`: stale if the config were evaluated only once.
    appliesIf: function (c, r) { return r.reported_date >= today - 7 * MS_IN_DAY; },
    actions: [{ form: 'referral_follow_up' }],
    events: [{ id: 'follow-up', days: 1, start: 0, end: 10 }],
  },
  {
    name: 'household.survey',
    icon: 'icon-household',
    title: 'task.household.title',
    appliesTo: 'contacts',
    appliesToType: ['clinic'],
    appliesIf: function () { return isSupervisor(); },
    contactLabel: 'Household',
    actions: [
      { type: 'contact', label: 'Add a member', modifyContent: function (content, c) { content.parent_id = c.contact._id; content.type = 'person'; } },
      { form: 'household_survey', label: 'Survey' },
    ],
    events: [{ id: 'monthly', days: 30, start: 3, end: 7 }],
  },
  {
    name: 'death.confirm',
    title: 'task.death.title',
    appliesTo: 'contacts',
    appliesToType: ['person'],
    appliesIf: function (c) { return !isAlive(c) && inUsersArea(c.contact); },
    resolvedIf: function (c) { return c.reports.some(function (r) { return r.form === 'death_confirmation'; }); },
    actions: [{ form: 'death_confirmation' }],
    events: [{ id: 'confirm', dueDate: function (event, c) { return c.contact.date_of_death; }, start: 0, end: 7 }],
  },
];
