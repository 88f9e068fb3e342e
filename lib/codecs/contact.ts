/**
 * Contacts: people and places, legacy (`type` is the level) or configurable (`type: 'contact'`
 * with a `contact_type` the hierarchy configuration declares). People always have a parent; places
 * have one unless their type is at the top. A place's `contact` is its primary contact.
 * Codecs depend on the hierarchy, so they are built by {@link contactCodecs}; the exported
 * `Person`, `Place` and `Contact` use the default hierarchy.
 */
import * as t from 'io-ts';
import { StoredFields, Timestamp } from './base.js';
import { dispatch, intersection, parentChain, withRules } from './combinators.js';
import type { RuleFailure } from './combinators.js';
import { contactHierarchy, LEGACY_PLACE_TYPES } from './hierarchy.js';
import type { ContactHierarchy, ContactTypeConfig, LegacyPlaceType } from './hierarchy.js';
import { ContactId } from './ids.js';
import { ContactRef, HydratedLinkedDocs, LinkedDocs, MinifiedParent } from './lineage.js';

function oneOf(ids: readonly string[], what: string): t.Type<string, string, unknown> {
  const allowed = new Set(ids);
  const name = `${what} (${ids.length === 0 ? 'none configured' : ids.join(' | ')})`;
  return new t.Type(name, (u): u is string => typeof u === 'string' && allowed.has(u), (u, c) => (typeof u === 'string' && allowed.has(u) ? t.success(u) : t.failure(u, c)), t.identity);
}

const LegacyPlaceTypeCodec = t.keyof(
  Object.fromEntries(LEGACY_PLACE_TYPES.map((k) => [k, null])) as Record<LegacyPlaceType, null>,
  `LegacyPlaceType (${LEGACY_PLACE_TYPES.join(' | ')})`,
);

const contactKeys = intersection([t.type({ _id: ContactId, reported_date: Timestamp }), StoredFields], 'ContactKeys');

function typing(h: ContactHierarchy) {
  const legacyPerson = t.type({ type: t.literal('person') }, 'PersonType');
  const configuredPerson = t.type({ type: t.literal('contact'), contact_type: oneOf(h.personTypes, 'a person contact_type') }, 'PersonType');
  const legacyPlace = t.type({ type: LegacyPlaceTypeCodec }, 'PlaceType');
  const configuredPlace = t.type({ type: t.literal('contact'), contact_type: oneOf(h.placeTypes, 'a place contact_type') }, 'PlaceType');
  const wrongType = (u: Record<string, unknown>, expected: string): RuleFailure => ({ keys: ['type'], actual: u['type'], expected });
  return {
    person: dispatch('PersonType', (u) => (u['type'] === 'person' ? legacyPerson : u['type'] === 'contact' ? configuredPerson : wrongType(u, '"person" or "contact"'))),
    place: dispatch('PlaceType', (u) => (u['type'] === 'contact' ? configuredPlace : typeof u['type'] === 'string' && LegacyPlaceTypeCodec.is(u['type']) ? legacyPlace : wrongType(u, `${LegacyPlaceTypeCodec.name} or "contact"`))),
  };
}

function bodies(h: ContactHierarchy) {
  const types = typing(h);
  return {
    person: intersection([contactKeys, types.person, t.partial({ name: t.string, phone: t.string, patient_id: t.string })], 'Person'),
    place: intersection([contactKeys, types.place, t.partial({ name: t.string, contact: ContactRef, place_id: t.string })], 'Place'),
  };
}

/** A place without its parent and linked docs: what stored and hydrated places share. */
export type PlaceBody = t.TypeOf<ReturnType<typeof bodies>['place']>;
type PlaceBodyJson = t.OutputOf<ReturnType<typeof bodies>['place']>;

/** A place ready for use: every parent level is a full place document, linked docs are full documents. */
export type HydratedPlace = PlaceBody & { readonly parent?: HydratedPlace; readonly linked_docs?: HydratedLinkedDocs };
/** The JSON form of {@link HydratedPlace}. */
export type HydratedPlaceJson = PlaceBodyJson & { readonly parent?: HydratedPlaceJson; readonly linked_docs?: t.OutputOf<typeof HydratedLinkedDocs> };

/**
 * Builds the contact codecs for a hierarchy configuration (app settings `contact_types`;
 * {@link DEFAULT_CONTACT_TYPES} when omitted).
 */
export function contactCodecs(contactTypes?: readonly ContactTypeConfig[]) {
  const hierarchy = contactHierarchy(contactTypes);
  const body = bodies(hierarchy);
  const parentRule = (u: Record<string, unknown>): RuleFailure[] => {
    const cls = hierarchy.classify(u['type'], u['contact_type']);
    return cls?.parentRequired === true && u['parent'] === undefined
      ? [{ keys: ['parent'], actual: undefined, expected: `MinifiedParent (a ${String(u['type'] === 'contact' ? u['contact_type'] : u['type'])} is not a top-level place)` }]
      : [];
  };
  const Person = intersection([body.person, t.type({ parent: MinifiedParent }), t.partial({ linked_docs: LinkedDocs })], 'Person');
  const Place = withRules(intersection([body.place, t.partial({ parent: MinifiedParent, linked_docs: LinkedDocs })], 'Place'), parentRule);
  const HydratedPlace: t.Type<HydratedPlace, HydratedPlaceJson, unknown> = parentChain('HydratedPlace',
    intersection([body.place, t.partial({ linked_docs: HydratedLinkedDocs })], 'HydratedPlace'));
  const HydratedPerson = intersection([body.person, t.type({ parent: HydratedPlace }), t.partial({ linked_docs: HydratedLinkedDocs })], 'HydratedPerson');
  const Contact = dispatch<typeof Person | typeof Place>('Contact', (u) => {
    const cls = hierarchy.classify(u['type'], u['contact_type']);
    if (cls?.kind === 'person') return Person;
    if (cls?.kind === 'place') return Place;
    return u['type'] === 'contact'
      ? { keys: ['contact_type'], actual: u['contact_type'], expected: `a configured contact_type (${[...hierarchy.placeTypes, ...hierarchy.personTypes].join(' | ')})` }
      : { keys: ['type'], actual: u['type'], expected: `a contact type ("contact", "person" or ${LEGACY_PLACE_TYPES.join(' | ')})` };
  });
  return { hierarchy, Person, Place, Contact, HydratedPerson, HydratedPlace };
}

/** The contact codecs of one hierarchy configuration. */
export type ContactCodecs = ReturnType<typeof contactCodecs>;

const defaults = contactCodecs();

/** A person as stored (minified parent), with the default hierarchy. */
export const Person = defaults.Person;
/** A person as stored: `_id`, `type: 'person'` (or `'contact'` + a person `contact_type`), `reported_date`, minified `parent`. */
export type Person = t.TypeOf<typeof Person>;

/** A place as stored (minified parent), with the default hierarchy. */
export const Place = defaults.Place;
/** A place as stored: `_id`, a legacy place `type` (or `'contact'` + a place `contact_type`), `reported_date`, optional minified `parent`, primary `contact`. */
export type Place = t.TypeOf<typeof Place>;

/** A person or a place as stored, chosen by the hierarchy, with the default hierarchy. */
export const Contact = defaults.Contact;
/** A person or a place as stored. */
export type Contact = t.TypeOf<typeof Contact>;

/** A person ready for use (hydrated parents and linked docs), with the default hierarchy. */
export const HydratedPerson = defaults.HydratedPerson;
/** A person ready for use. */
export type HydratedPerson = t.TypeOf<typeof HydratedPerson>;

/** A place ready for use (hydrated parents and linked docs), with the default hierarchy. */
export const HydratedPlace = defaults.HydratedPlace;

/** Narrows a contact to a person (by its type, with the given hierarchy; default when omitted). */
export function isPerson(contact: Contact, hierarchy: ContactHierarchy = defaults.hierarchy): contact is Person {
  return hierarchy.classify(contact.type, (contact as { contact_type?: unknown }).contact_type)?.kind === 'person';
}
