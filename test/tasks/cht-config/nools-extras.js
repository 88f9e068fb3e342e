// A CHT project's helpers in cht-conf's CommonJS shape (globals Utils, user, cht), run by chtConfigModule.
// Written for fieldsync's tests in the shape of cht-core's config/default/nools-extras.js.
const MS_IN_DAY = 24 * 60 * 60 * 1000;
// Module state computed when the file is loaded, as config/default computes its `today`.
const today = Utils.addDate(Utils.now(), 0).getTime();

const getField = (report, path) => path.split('.').reduce((value, key) => (value === undefined || value === null ? undefined : value[key]), report.fields);

function isAlive(c) {
  return !!c.contact && !c.contact.date_of_death;
}

function isSupervisor() {
  return cht.v1.hasPermissions('can_view_household_tasks');
}

function inUsersArea(contact) {
  let place = contact && contact.parent;
  while (place) {
    if (user && user.parent && place._id === user.parent._id) return true;
    place = place.parent;
  }
  return false;
}

module.exports = { MS_IN_DAY, today, getField, isAlive, isSupervisor, inUsersArea };
