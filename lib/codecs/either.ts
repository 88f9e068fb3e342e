/**
 * The three `Either` functions fieldsync calls, written out: importing them from fp-ts means its
 * CommonJS build in Node (`fp-ts/lib`), which a browser bundle would then carry next to the ESM copy
 * io-ts brings. The values are fp-ts's own `Either`s.
 */
import type { Either, Left } from 'fp-ts/lib/Either.js';

/** fp-ts's `isLeft`. */
export function isLeft<E>(either: Either<E, unknown>): either is Left<E> {
  return either._tag === 'Left';
}

/** fp-ts's `left`. */
export function left<E = never, A = never>(e: E): Either<E, A> {
  return { _tag: 'Left', left: e };
}

/** fp-ts's `right`. */
export function right<E = never, A = never>(a: A): Either<E, A> {
  return { _tag: 'Right', right: a };
}
