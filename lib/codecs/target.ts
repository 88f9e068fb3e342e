/**
 * Target documents, as the schema spec shows them: one per user, owner contact and reporting
 * period, `_id` `target~<YYYY-MM>~<owner contact>~<user>`, with the aggregated value of each target.
 */
import * as t from 'io-ts';
import { intersection } from './combinators.js';
import { StoredFields, Timestamp } from './base.js';
import { brandedString, ContactId, Period, UserSettingsId } from './ids.js';
import type { DocIdBrand } from './ids.js';

/** Brand of {@link TargetId}. */
export interface TargetIdBrand { readonly TargetId: unique symbol }

/** The parts of a target `_id`. */
export interface TargetIdParts {
  /** The reporting period. */
  readonly period: Period;
  /** The contact the targets belong to (the user's own contact). */
  readonly owner: ContactId;
  /** The user-settings id of the user who calculated them. */
  readonly user: UserSettingsId;
}

/**
 * Splits `target~<YYYY-MM>~<owner contact>~<user>`. The period has a fixed form and the user never
 * contains `~`, so everything between them is the owner id, `~` included.
 * Returns `undefined` when `id` is not a target id.
 */
export function parseTargetId(id: string): TargetIdParts | undefined {
  const parts = id.split('~');
  if (parts.length < 4 || parts[0] !== 'target') return undefined;
  const period = parts[1]!;
  const user = parts[parts.length - 1]!;
  const owner = parts.slice(2, -1).join('~');
  if (!Period.is(period) || !UserSettingsId.is(user) || !ContactId.is(owner)) return undefined;
  return { period, owner, user };
}

/** A target document id, `target~<YYYY-MM>~<owner contact>~<user>`. Also a {@link DocId}. */
export const TargetId = brandedString<DocIdBrand & TargetIdBrand>(
  'TargetId (target~<YYYY-MM>~<owner contact>~<user>)',
  (s) => parseTargetId(s) !== undefined,
);
/** A target document id. */
export type TargetId = t.TypeOf<typeof TargetId>;

/** Builds a target `_id` from its parts (the inverse of {@link parseTargetId}). */
export function targetId(parts: TargetIdParts): TargetId {
  return `target~${parts.period}~${parts.owner}~${parts.user}` as TargetId;
}

/** The aggregated value of one target; `percent` only for percentage targets. */
export const TargetValue = intersection([
  t.type({ pass: t.number, total: t.number }),
  t.partial({ percent: t.number }),
], 'TargetValue');
/** The aggregated value of one target. */
export type TargetValue = t.TypeOf<typeof TargetValue>;

/** One entry of `targets`: the target's configured `id` and its value; other keys are kept. */
export const TargetEntry = t.type({ id: t.string, value: TargetValue }, 'TargetEntry');
/** One entry of `targets`. */
export type TargetEntry = t.TypeOf<typeof TargetEntry>;

/** A target document. */
export const TargetDoc = intersection([
  t.type({
    _id: TargetId,
    type: t.literal('target'),
    user: UserSettingsId,
    owner: ContactId,
    updated_date: Timestamp,
    targets: t.array(TargetEntry),
  }),
  t.partial({ reporting_period: Period }),
  StoredFields,
], 'TargetDoc');
/** A target document. */
export type TargetDoc = t.TypeOf<typeof TargetDoc>;
