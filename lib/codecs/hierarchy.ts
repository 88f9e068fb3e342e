/**
 * Which contacts are people and which are places. Legacy contacts say it with their `type`
 * (`person`; `district_hospital`, `health_center`, `clinic`, `national_office`); configurable
 * contacts (`type: 'contact'`) name a `contact_type` that the app's hierarchy configuration
 * (app settings `contact_types`) declares as a person or a place.
 */

/** One entry of the hierarchy configuration, as in app settings `contact_types` (other keys ignored). */
export interface ContactTypeConfig {
  /** The `contact_type` value. */
  readonly id: string;
  /** `true` for people; places otherwise. */
  readonly person?: boolean;
  /** The contact types this one may sit under; none means a top-level place. */
  readonly parents?: readonly string[];
}

/**
 * The default hierarchy: the one CHT ships (district hospital > health center > clinic, and
 * people under any of them), used when an app does not pass its own.
 */
export const DEFAULT_CONTACT_TYPES: readonly ContactTypeConfig[] = [
  { id: 'district_hospital' },
  { id: 'health_center', parents: ['district_hospital'] },
  { id: 'clinic', parents: ['health_center'] },
  { id: 'person', person: true, parents: ['district_hospital', 'health_center', 'clinic'] },
];

/** The hard-coded place types of CHT before configurable hierarchies (with both spellings of health centre). */
export const LEGACY_PLACE_TYPES = ['district_hospital', 'health_center', 'health_centre', 'clinic', 'national_office'] as const;
/** A hard-coded place type. */
export type LegacyPlaceType = (typeof LEGACY_PLACE_TYPES)[number];

/** Legacy place types that sit under another place when the configuration does not say otherwise. */
const LEGACY_CHILD_PLACES: ReadonlySet<string> = new Set(['health_center', 'health_centre', 'clinic']);

/**
 * The spec spells the middle legacy level `health_centre`; CHT itself writes `health_center`.
 * Both decode (and keep their spelling); configuration lookups treat them as one type.
 */
export function canonicalContactType(type: string): string {
  return type === 'health_centre' ? 'health_center' : type;
}

/** What a contact is, by the hierarchy: person or place, and whether it must have a parent. */
export interface ContactClass {
  readonly kind: 'person' | 'place';
  readonly parentRequired: boolean;
}

/** A hierarchy configuration indexed for lookups. */
export interface ContactHierarchy {
  /** The configured types, as given. */
  readonly contactTypes: readonly ContactTypeConfig[];
  /** Classifies a document by `type` and `contact_type`; `undefined` when it is not a known contact. */
  classify(type: unknown, contactType: unknown): ContactClass | undefined;
  /** Configured person type ids. */
  readonly personTypes: readonly string[];
  /** Configured place type ids. */
  readonly placeTypes: readonly string[];
}

/** Indexes a hierarchy configuration (app settings `contact_types`), defaulting to {@link DEFAULT_CONTACT_TYPES}. */
export function contactHierarchy(contactTypes: readonly ContactTypeConfig[] = DEFAULT_CONTACT_TYPES): ContactHierarchy {
  const byId = new Map<string, ContactTypeConfig>();
  for (const entry of contactTypes) byId.set(canonicalContactType(entry.id), entry);
  const classes = new Map<string, ContactClass>();
  for (const [id, entry] of byId) {
    const person = entry.person === true;
    classes.set(id, { kind: person ? 'person' : 'place', parentRequired: person || (entry.parents?.length ?? 0) > 0 });
  }
  const legacy = new Map<string, ContactClass>();
  legacy.set('person', { kind: 'person', parentRequired: true });
  for (const type of LEGACY_PLACE_TYPES) {
    // A legacy type the configuration also names follows the configuration (minus person-ness).
    const configured = classes.get(canonicalContactType(type));
    legacy.set(type, { kind: 'place', parentRequired: configured?.kind === 'place' ? configured.parentRequired : LEGACY_CHILD_PLACES.has(type) });
  }
  return {
    contactTypes,
    classify(type, contactType) {
      if (typeof type !== 'string') return undefined;
      if (type !== 'contact') return legacy.get(type);
      return typeof contactType === 'string' ? classes.get(canonicalContactType(contactType)) : undefined;
    },
    personTypes: [...classes].filter(([, c]) => c.kind === 'person').map(([id]) => id),
    placeTypes: [...classes].filter(([, c]) => c.kind === 'place').map(([id]) => id),
  };
}
