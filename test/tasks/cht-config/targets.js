/* eslint-disable -- a CHT project's targets.js in cht-conf's CommonJS shape (globals Utils, user, cht), run by chtConfigModule */
// Written for fieldsync's tests in the shape of cht-core's config/default/targets.js.
const { MS_IN_DAY, today, getField, isAlive } = require('./nools-extras');

module.exports = [
  {
    id: 'deaths-this-month', type: 'count', goal: 0, translation_key: 'targets.deaths.title',
    appliesTo: 'contacts', appliesToType: ['person'],
    appliesIf: function (c) { return !isAlive(c); },
    date: function (c) { return c.contact.date_of_death; },
  },
  {
    id: 'births-this-month', type: 'count', goal: -1, translation_key: 'targets.births.title',
    appliesTo: 'contacts', appliesToType: ['person'],
    appliesIf: function (c) { return c.contact.date_of_birth; },
    date: function (c) { return c.contact.date_of_birth; },
  },
  {
    id: 'pregnancy-registrations-this-month', type: 'count', goal: 20,
    appliesTo: 'reports', appliesToType: ['pregnancy'], date: 'reported', idType: 'contact',
  },
  {
    id: 'active-pregnancies', type: 'count', goal: -1,
    appliesTo: 'reports', appliesToType: ['pregnancy'],
    appliesIf: function (c, r) { return r.reported_date > today - 280 * MS_IN_DAY; },
    date: 'now', idType: 'contact',
  },
  {
    id: 'facility-deliveries', type: 'percent', goal: 80,
    appliesTo: 'reports', appliesToType: ['delivery'], idType: 'report', date: 'reported',
    passesIf: function (c, r) { return getField(r, 'facility_delivery') === 'yes'; },
  },
  {
    id: 'households-visited-twice', type: 'percent', goal: 50,
    appliesTo: 'reports', appliesToType: ['home_visit'], idType: 'report', date: 'reported',
    groupBy: function (c) { return c.contact.parent && c.contact.parent._id; },
    passesIfGroupCount: { gte: 2 },
  },
  {
    id: 'members-visited', type: 'count',
    appliesTo: 'reports', appliesToType: ['home_visit'], date: 'reported',
    idType: function (c, r) { return (getField(r, 'members') || []).map(function (m) { return r._id + '-' + m; }); },
  },
  {
    id: 'referrals', type: 'count',
    appliesTo: 'reports', appliesToType: ['referral'], idType: 'report', date: 'reported',
    emitCustom: function (emit, instance, c, r) {
      if (getField(r, 'urgent') === 'yes') emit(Object.assign({}, instance, { _id: instance._id + '-urgent' }));
      emit(instance);
    },
  },
];
