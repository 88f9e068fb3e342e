/**
 * Two small combinators the document codecs are built from, both keeping io-ts contexts intact so
 * problems name real paths: `dispatch` picks one codec by looking at the value (its `type`, say)
 * instead of trying every member of a union, and `withRules` adds cross-field rules (an `_id` that
 * must match `name`) reported at the field they concern.
 */
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { failureAt } from './errors.js';

/** A rule or a dispatch that failed: where (keys below the value), what was there, what was expected. */
export interface RuleFailure {
  readonly keys: readonly string[];
  readonly actual: unknown;
  readonly expected: string;
}

/** A plain object (not an array, not null). */
export function isRecord(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}

function isFailure(p: unknown): p is RuleFailure {
  return isRecord(p) && Array.isArray(p['keys']) && typeof p['expected'] === 'string';
}

/**
 * A codec that chooses its member from the value: faster than `t.union` (one member runs, not
 * all) and its problems are the chosen member's, not every member's. Non-objects fail with `name`.
 */
export function dispatch<C extends t.Mixed>(
  name: string,
  pick: (u: Record<string, unknown>) => C | RuleFailure,
): t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown> {
  return new t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown>(
    name,
    (u): u is t.TypeOf<C> => {
      if (!isRecord(u)) return false;
      const chosen = pick(u);
      return !isFailure(chosen) && chosen.is(u);
    },
    (u, c) => {
      if (!isRecord(u)) return t.failure(u, c);
      const chosen = pick(u);
      if (isFailure(chosen)) return t.failures([failureAt(c, chosen.keys, chosen.actual, chosen.expected)]);
      return chosen.validate(u, c);
    },
    (a) => {
      const chosen = isRecord(a) ? pick(a) : undefined;
      return chosen === undefined || isFailure(chosen) ? (a) : (chosen.encode(a) as t.OutputOf<C>);
    },
  );
}

/**
 * Adds cross-field rules to a codec. Rules see the raw object, so their problems come together
 * with the codec's own (every problem at once, not the rules only after the shape is right).
 */
export function withRules<A, O>(
  codec: t.Type<A, O, unknown>,
  rules: (u: Record<string, unknown>) => readonly RuleFailure[],
): t.Type<A, O, unknown> {
  return new t.Type<A, O, unknown>(
    codec.name,
    (u): u is A => codec.is(u) && rules(u as Record<string, unknown>).length === 0,
    (u, c) => {
      const result = codec.validate(u, c);
      const broken = isRecord(u) ? rules(u) : [];
      if (broken.length === 0) return result;
      const extra = broken.map((f) => failureAt(c, f.keys, f.actual, f.expected));
      return t.failures(isLeft(result) ? [...result.left, ...extra] : extra);
    },
    (a) => codec.encode(a),
  );
}
