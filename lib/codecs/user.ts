/**
 * The two records of a user: the `_users` record (`type: 'user'`, authoritative for roles, with the
 * password hash) and the `medic` copy (`type: 'user-settings'`, tying the user to a person and a
 * place). Both have `_id` `org.couchdb.user:<name>`, checked against `name`.
 */
import * as t from 'io-ts';
import { StoredFields } from './base.js';
import { intersection, withRules } from './combinators.js';
import type { RuleFailure } from './combinators.js';
import { ContactId, USER_ID_PREFIX, UserName, UserSettingsId } from './ids.js';

function idMatchesName(u: Record<string, unknown>): RuleFailure[] {
  const name = u['name'];
  if (typeof name !== 'string' || u['_id'] === USER_ID_PREFIX + name) return [];
  return [{ keys: ['_id'], actual: u['_id'], expected: JSON.stringify(USER_ID_PREFIX + name) + ' (org.couchdb.user:<name>)' }];
}

const userKeys = t.type({ _id: UserSettingsId, name: UserName, roles: t.array(t.string) }, 'UserKeys');

/** The `_users` record. A stored record has the PBKDF2 fields; a plain `password` is what a writer sends before CouchDB hashes it. */
export const UserDoc = withRules(intersection([
  userKeys,
  t.type({ type: t.literal('user') }),
  t.partial({
    password_scheme: t.string,
    iterations: t.number,
    derived_key: t.string,
    salt: t.string,
    pbkdf2_prf: t.string,
    password: t.string,
  }),
  StoredFields,
], 'UserDoc'), (u) => {
  const broken = idMatchesName(u);
  if (u['password_scheme'] === 'pbkdf2') {
    for (const key of ['derived_key', 'salt', 'iterations']) {
      if (u[key] === undefined) broken.push({ keys: [key], actual: undefined, expected: `${key} (required when password_scheme is pbkdf2)` });
    }
  }
  return broken;
});
/** The `_users` record. */
export type UserDoc = t.TypeOf<typeof UserDoc>;

/** `facility_id`: the place the user is attached to, or several. */
export const FacilityIds = t.union([ContactId, t.array(ContactId)], 'ContactId or Array<ContactId>');

/** The `user-settings` record in the medic database. `known: true` once the user has logged in. */
export const UserSettingsDoc = withRules(intersection([
  userKeys,
  t.type({ type: t.literal('user-settings') }),
  t.partial({ contact_id: ContactId, facility_id: FacilityIds, known: t.boolean }),
  StoredFields,
], 'UserSettingsDoc'), idMatchesName);
/** The `user-settings` record. */
export type UserSettingsDoc = t.TypeOf<typeof UserSettingsDoc>;

/** The facility ids of a user-settings record as a list (empty when it has none). */
export function facilityIds(settings: UserSettingsDoc): ContactId[] {
  const value = settings.facility_id;
  return value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
}
