/**
 * What {@link hydrate} gives back, as types: a contact's parents and primary contact, and a report's
 * author, patient and place, are whole documents (or, where one could not be read, the stored `{_id}`).
 */

/** A contact as hydrate fills it in: its parent chain and its primary contact are contacts too. */
export interface HydratedContact {
  readonly _id: string;
  readonly _rev?: string;
  readonly name?: unknown;
  readonly parent?: HydratedContact;
  readonly contact?: HydratedContact;
  readonly [key: string]: unknown;
}

/** The fields hydrate fills in. Each is absent when the stored document has none. */
export interface HydratedFields {
  /** A contact's parent chain. */
  readonly parent?: HydratedContact;
  /** A place's primary contact, or a report's author with the author's chain. */
  readonly contact?: HydratedContact;
  /** A report's patient (by `patient_id`/`patient_uuid` or shortcode), with its chain. */
  readonly patient?: HydratedContact;
  /** A report's place (by `place_id` shortcode), with its chain. */
  readonly place?: HydratedContact;
}

/** A stored document `T` after {@link hydrate}. */
export type Hydrated<T> = T & HydratedFields;
