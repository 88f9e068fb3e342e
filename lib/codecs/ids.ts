/**
 * Branded ids and dates, where mixing two strings up is a real bug: a contact id passed where a
 * user-settings id is expected, a `YYYY-MM-DD` date where a `YYYY-MM` period belongs. Each brand is
 * an io-ts codec plus an `as…` constructor for values that come from elsewhere.
 */
import * as t from 'io-ts';
import { decodeOrThrow } from './errors.js';

/** Brand of {@link DocId}. */
export interface DocIdBrand { readonly DocId: unique symbol }
/** Brand of {@link ContactId}. */
export interface ContactIdBrand { readonly ContactId: unique symbol }
/** Brand of {@link UserSettingsId}. */
export interface UserSettingsIdBrand { readonly UserSettingsId: unique symbol }
/** Brand of {@link UserName}. */
export interface UserNameBrand { readonly UserName: unique symbol }
/** Brand of {@link CalendarDate}. */
export interface CalendarDateBrand { readonly CalendarDate: unique symbol }
/** Brand of {@link Period}. */
export interface PeriodBrand { readonly Period: unique symbol }

/**
 * A string codec with a brand. Written by hand rather than with `t.brand` so the codec's name (what
 * an error says was expected) can be a description, and so decoding is one check, not a chain.
 */
export function brandedString<B>(name: string, ok: (s: string) => boolean): t.Type<t.Branded<string, B>, string, unknown> {
  const is = (u: unknown): u is t.Branded<string, B> => typeof u === 'string' && ok(u);
  return new t.Type(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c)), t.identity);
}

/** Any CouchDB document id: a non-empty string. */
export const DocId = brandedString<DocIdBrand>('DocId (non-empty string)', (s) => s.length > 0);
/** Any CouchDB document id: a non-empty string. */
export type DocId = t.TypeOf<typeof DocId>;

/** The `_id` of a contact (person or place). Also a {@link DocId}. */
export const ContactId = brandedString<DocIdBrand & ContactIdBrand>('ContactId (non-empty string)', (s) => s.length > 0);
/** The `_id` of a contact (person or place). Also a {@link DocId}. */
export type ContactId = t.TypeOf<typeof ContactId>;

/**
 * A CouchDB user name. Non-empty and without `~`, because task and target ids use `~` as their
 * separator and end with the user-settings id (a name with `~` would make them ambiguous).
 */
export const UserName = brandedString<UserNameBrand>('UserName (non-empty, no "~")', (s) => s.length > 0 && !s.includes('~'));
/** A CouchDB user name. */
export type UserName = t.TypeOf<typeof UserName>;

/** Prefix of every `_users` and `user-settings` document id. */
export const USER_ID_PREFIX = 'org.couchdb.user:';

/** `org.couchdb.user:<name>`: the id of a user's `_users` and `user-settings` records, and the `user` of tasks and targets. */
export const UserSettingsId = brandedString<DocIdBrand & UserSettingsIdBrand>(
  'UserSettingsId (org.couchdb.user:<name>)',
  (s) => s.startsWith(USER_ID_PREFIX) && UserName.is(s.slice(USER_ID_PREFIX.length)),
);
/** `org.couchdb.user:<name>`. Also a {@link DocId}. */
export type UserSettingsId = t.TypeOf<typeof UserSettingsId>;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one (leap years included).
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A calendar date `YYYY-MM-DD` that exists (no 2001-02-29). */
export const CalendarDate = brandedString<CalendarDateBrand>('CalendarDate (YYYY-MM-DD)', isCalendarDate);
/** A calendar date `YYYY-MM-DD`. */
export type CalendarDate = t.TypeOf<typeof CalendarDate>;

/** A reporting period (a month) `YYYY-MM`. */
export const Period = brandedString<PeriodBrand>('Period (YYYY-MM)', (s) => PERIOD.test(s));
/** A reporting period `YYYY-MM`. */
export type Period = t.TypeOf<typeof Period>;

/**
 * Brands a document id.
 * @throws {@link FieldsyncDecodeError} when `s` is empty.
 */
export function asDocId(s: string): DocId {
  return decodeOrThrow(DocId, s);
}

/**
 * Brands a contact id.
 * @throws {@link FieldsyncDecodeError} when `s` is empty.
 */
export function asContactId(s: string): ContactId {
  return decodeOrThrow(ContactId, s);
}

/**
 * Brands a user name.
 * @throws {@link FieldsyncDecodeError} when `s` is empty or contains `~`.
 */
export function asUserName(s: string): UserName {
  return decodeOrThrow(UserName, s);
}

/**
 * Brands a full user-settings id (`org.couchdb.user:<name>`).
 * @throws {@link FieldsyncDecodeError} when `s` is not of that form.
 */
export function asUserSettingsId(s: string): UserSettingsId {
  return decodeOrThrow(UserSettingsId, s);
}

/**
 * Brands a `YYYY-MM-DD` date.
 * @throws {@link FieldsyncDecodeError} when `s` is not an existing calendar date in that form.
 */
export function asCalendarDate(s: string): CalendarDate {
  return decodeOrThrow(CalendarDate, s);
}

/**
 * Brands a `YYYY-MM` period.
 * @throws {@link FieldsyncDecodeError} when `s` is not a month in that form.
 */
export function asPeriod(s: string): Period {
  return decodeOrThrow(Period, s);
}

/** The user-settings (and `_users`) id of a user: `org.couchdb.user:<name>`. */
export function userSettingsId(name: UserName): UserSettingsId {
  return `${USER_ID_PREFIX}${name}` as UserSettingsId;
}

/** The user name inside a user-settings id. */
export function userNameOf(id: UserSettingsId): UserName {
  return id.slice(USER_ID_PREFIX.length) as UserName;
}
