/**
 * Decode errors as values: one {@link DecodeProblem} per thing wrong with a document (its `_id`, the
 * path such as `parent.parent._id`, what was expected, what was found), every problem at once.
 * They become an exception only at the public edge, as one {@link FieldsyncDecodeError}.
 */
import * as t from 'io-ts';
import { isLeft, left, right } from './either.js';
import type { Either } from 'fp-ts/lib/Either.js';
import type { ReadonlyNonEmptyArray } from 'fp-ts/lib/ReadonlyNonEmptyArray.js';

/** One thing wrong with one document. */
export interface DecodeProblem {
  readonly kind: 'decode';
  /** The document's `_id`, when it has a string one. */
  readonly docId?: string;
  /** Where in the document, e.g. `parent.parent._id` or `targets[2].value.pass`; `''` for the whole document. */
  readonly path: string;
  /** What the codec wanted there, e.g. `CalendarDate (YYYY-MM-DD)`. */
  readonly expected: string;
  /** A short rendering of what was there (`missing` when absent). */
  readonly found: string;
}

/** Every problem of a failed decode; never empty. */
export type DecodeProblems = ReadonlyNonEmptyArray<DecodeProblem>;

/** The result of decoding: every problem, or the typed value. */
export type Decoded<A> = Either<DecodeProblems, A>;

/** Renders a found value short enough for one line. */
export function renderFound(value: unknown): string {
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
  if (typeof value === 'bigint') return `${value}n`;
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

/** The codec's name, or `object` for an unnamed struct (io-ts would print its whole shape). */
function describe(type: t.Decoder<unknown, unknown>): string {
  const { name } = type;
  return name.startsWith('{') || name.startsWith('Partial<{') || name.startsWith('(') ? 'object' : name;
}

/** Appends one key: `a.b`, `a[0]`, `a["odd key"]`; no leading dot. */
function joinPath(path: string, key: string, numeric: boolean): string {
  if (numeric) return `${path}[${key}]`;
  if (!/^[A-Za-z_$][\w$-]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** A union the value passed through, so the problems of its members can be narrowed to one. */
interface UnionMark { readonly id: string; readonly path: string; readonly depth: number; readonly member: string; readonly name: string; readonly actual: unknown }

interface Raw { readonly path: string; readonly depth: number; readonly expected: string; readonly found: string; readonly marks: readonly UnionMark[] }

/** The codec doing the work behind a recursion (`t.recursion` validates with its definition, in the same context). */
function effective(type: t.Decoder<unknown, unknown>): t.Decoder<unknown, unknown> {
  let current = type;
  while (current instanceof t.RecursiveType) current = (current as t.RecursiveType<t.Mixed>).type;
  return current;
}

function toRaw(error: t.ValidationError): Raw {
  const { context } = error;
  let path = '';
  let depth = 0;
  const marks: UnionMark[] = [];
  for (let i = 1; i < context.length; i++) {
    const parent = context[i - 1]!;
    const entry = context[i]!;
    const container = effective(parent.type);
    const inArray = container instanceof t.ArrayType || container instanceof t.TupleType;
    // Intersection and union members are entered by position with the same value as their parent
    // (possibly behind a recursion or a dispatch); those positions are not document paths.
    if (!inArray && entry.actual === parent.actual && /^\d+$/.test(entry.key)) {
      if (container instanceof t.UnionType) {
        marks.push({ id: `${i}@${path}`, path, depth, member: entry.key, name: describe(container), actual: parent.actual });
      }
      continue;
    }
    path = joinPath(path, entry.key, inArray);
    depth++;
  }
  // A member of an intersection failing as a whole (not an object at all) speaks for the intersection.
  let at = context.length - 1;
  while (at > 0 && context[at]!.actual === context[at - 1]!.actual && /^\d+$/.test(context[at]!.key)) at--;
  const failing = context[at]?.type;
  const expected = error.message ?? (failing ? describe(failing) : 'a value');
  return { path, depth, expected, found: renderFound(error.value), marks };
}

/** io-ts reports a failure for every member of a union; keep the member that got furthest, or one line for the union. */
function narrowUnions(raws: readonly Raw[], level: number): Raw[] {
  const out: Raw[] = [];
  const groups = new Map<string, Raw[]>();
  for (const raw of raws) {
    const mark = raw.marks[level];
    if (mark === undefined) out.push(raw);
    else groups.set(mark.id, [...(groups.get(mark.id) ?? []), raw]);
  }
  for (const group of groups.values()) {
    const mark = group[0]!.marks[level]!;
    const byMember = new Map<string, Raw[]>();
    for (const raw of group) byMember.set(raw.marks[level]!.member, [...(byMember.get(raw.marks[level]!.member) ?? []), raw]);
    // A member whose problems are all deeper than the union accepted the value's outer shape.
    const deep = [...byMember.values()].filter((rs) => rs.every((r) => r.depth > mark.depth));
    const best = deep.sort((a, b) => a.length - b.length)[0];
    if (best) out.push(...narrowUnions(best, level + 1));
    else out.push({ path: mark.path, depth: mark.depth, expected: mark.name, found: renderFound(mark.actual), marks: [] });
  }
  return out;
}

/** Turns io-ts errors into problems: paths without union/intersection indexes, one line per problem, no duplicates. */
export function toProblems(errors: t.Errors, input: unknown): DecodeProblems {
  const docId = typeof input === 'object' && input !== null && typeof (input as { _id?: unknown })._id === 'string'
    ? (input as { _id: string })._id
    : undefined;
  const seen = new Set<string>();
  const problems: DecodeProblem[] = [];
  for (const raw of narrowUnions(errors.map(toRaw), 0)) {
    const key = `${raw.path}\u0000${raw.expected}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(docId === undefined
      ? { kind: 'decode', path: raw.path, expected: raw.expected, found: raw.found }
      : { kind: 'decode', docId, path: raw.path, expected: raw.expected, found: raw.found });
  }
  const [first, ...rest] = problems;
  // io-ts never reports a failure without an error; keep the type honest anyway.
  return first ? [first, ...rest] : [{ kind: 'decode', path: '', expected: 'a valid value', found: renderFound(input) }];
}

/** Decodes with any codec and returns problems instead of io-ts errors. */
export function decodeWith<A, O>(codec: t.Type<A, O, unknown>, input: unknown): Decoded<A> {
  const result = codec.decode(input);
  return isLeft(result) ? left(toProblems(result.left, input)) : right(result.right);
}

/** One line for one problem: `<_id>: <path>: expected <expected>, found <found>`. */
export function formatProblem(problem: DecodeProblem): string {
  const where = problem.path === '' ? '(document)' : problem.path;
  return `${problem.docId ?? '(no _id)'}: ${where}: expected ${problem.expected}, found ${problem.found}`;
}

/** One line per problem, joined with newlines. */
export function formatProblems(problems: readonly DecodeProblem[]): string {
  return problems.map(formatProblem).join('\n');
}

/** The one error class thrown at the public edge when a document does not decode; carries every problem. */
export class FieldsyncDecodeError extends Error {
  /** Always `'decode'`, like each problem. */
  readonly kind = 'decode' as const;
  /** Every problem found, never empty. */
  readonly problems: DecodeProblems;

  constructor(problems: DecodeProblems) {
    super(`${problems.length} decode problem${problems.length === 1 ? '' : 's'}:\n${formatProblems(problems)}`);
    this.name = 'FieldsyncDecodeError';
    this.problems = problems;
  }
}

/** Returns the value of a successful decode; throws {@link FieldsyncDecodeError} with every problem otherwise. */
export function orThrow<A>(result: Decoded<A>): A {
  if (isLeft(result)) throw new FieldsyncDecodeError(result.left);
  return result.right;
}

/**
 * Decodes `input` with `codec` or throws.
 * @throws {@link FieldsyncDecodeError} listing every problem when `input` does not decode.
 */
export function decodeOrThrow<A, O>(codec: t.Type<A, O, unknown>, input: unknown): A {
  return orThrow(decodeWith(codec, input));
}

/**
 * A failure at `keys` below the current context with its own expectation text; lets cross-field
 * rules (an `_id` that must match `name`) report at the field's path.
 */
export function failureAt(context: t.Context, keys: readonly string[], actual: unknown, expected: string): t.ValidationError {
  const entries = keys.map((key) => ({ key, type: t.unknown, actual }));
  return { value: actual, context: [...context, ...entries], message: expected };
}
