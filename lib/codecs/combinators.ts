/**
 * Two small combinators the document codecs are built from, both keeping io-ts contexts intact so
 * problems name real paths: `dispatch` picks one codec by looking at the value (its `type`, say)
 * instead of trying every member of a union, and `withRules` adds cross-field rules (an `_id` that
 * must match `name`) reported at the field they concern.
 */
import * as t from 'io-ts';
import { isLeft } from './either.js';
import { failureAt } from './errors.js';

/**
 * `t.intersection` for values that are never transformed (every codec here): decoding returns the
 * input itself and, when every member encodes as the identity, so does encoding. io-ts's own
 * intersection merges its members' results key by key with plain assignment, which turns an own
 * `__proto__` key (`JSON.parse` makes one) into the prototype of the result.
 */
export const intersection: typeof t.intersection = ((codecs: [t.Mixed, t.Mixed, ...t.Mixed[]], name?: string) => {
  const built = (t.intersection as unknown as (cs: t.Mixed[], n?: string) => t.IntersectionType<t.Mixed[], unknown, unknown, unknown>)(codecs, name);
  const validate = (u: unknown, c: t.Context): t.Validation<unknown> => {
    const result = built.validate(u, c);
    return isLeft(result) ? result : t.success(u);
  };
  const encode = codecs.every((codec) => codec.encode === t.identity) ? t.identity : built.encode;
  return new t.IntersectionType(built.name, built.is, validate, encode, codecs);
}) as unknown as typeof t.intersection;

/**
 * `t.record` with string keys whose encoding is the identity when its values' is (io-ts's copies
 * key by key, which also breaks the identity of every codec around it).
 */
export function record<C extends t.Mixed>(domain: t.StringC, codomain: C, name?: string): t.RecordC<t.StringC, C> {
  const built = t.record(domain, codomain, name);
  const encode = codomain.encode === t.identity ? t.identity : built.encode;
  return new t.DictionaryType(built.name, built.is, built.validate, encode, domain, codomain) as t.RecordC<t.StringC, C>;
}

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
    // The document codecs never transform a value, so encoding is the identity (which also lets
    // io-ts skip its copying encoders, which would turn an own `__proto__` key into a prototype).
    t.identity,
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
    codec.encode,
  );
}

/**
 * A `parent` chain (`{..., parent: {..., parent: ...}}`) where every level is checked with `level`,
 * walked in a loop rather than by recursion, so a chain thousands of levels deep (or one that loops
 * back on itself in memory) is a problem, never a stack overflow or a hang. `level` must not name
 * `parent` itself. Values are never transformed: decoding returns the input, encoding is the identity.
 */
export function parentChain<A, O>(name: string, level: t.Mixed): t.Type<A, O, unknown> {
  const walk = (u: unknown, c: t.Context | undefined, self: t.Decoder<unknown, unknown>): t.Errors => {
    const errors: t.ValidationError[] = [];
    const seen = new Set<unknown>();
    const levels: unknown[] = [];
    let current = u;
    for (;;) {
      const depth = levels.length;
      levels.push(current);
      if (seen.has(current)) {
        if (c) errors.push(failureAt(c, Array<string>(depth).fill('parent'), current, `${name} (a chain without a cycle)`));
        else errors.push({ value: current, context: [], message: 'cycle' });
        break;
      }
      seen.add(current);
      const result = c ? level.validate(current, c) : (level.is(current) ? t.success(current) : t.failure(current, []));
      if (isLeft(result)) {
        if (!c) return result.left;
        // Re-root each problem at this level: one `parent` step per level above it.
        const steps = levels.slice(1).map((actual) => ({ key: 'parent', type: self, actual }));
        for (const error of result.left) errors.push({ ...error, context: [...c, ...steps, ...error.context.slice(c.length)] });
      }
      if (!isRecord(current) || current['parent'] === undefined) break;
      current = current['parent'];
    }
    return errors;
  };
  const codec: t.Type<A, O, unknown> = new t.Type<A, O, unknown>(
    name,
    (u): u is A => walk(u, undefined, codec).length === 0,
    (u, c) => {
      const errors = walk(u, c, codec);
      return errors.length === 0 ? t.success(u as A) : t.failures(errors);
    },
    t.identity as (a: A) => O,
  );
  return codec;
}
