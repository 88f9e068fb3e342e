/**
 * `decodeDoc`: decodes any stored document by its `type` and returns a tagged result. Dispatching
 * on `type` first means one codec runs per document (no union over every kind, whose errors would
 * list every kind's complaints). Tombstones (`_deleted: true`) and documents of types the spec does
 * not name come back untouched as `deleted` and `other`, not as errors.
 */
import type * as t from 'io-ts';
import { isLeft, left, right } from './either.js';
import { BaseDoc } from './base.js';
import { isRecord } from './combinators.js';
import { contactCodecs } from './contact.js';
import type { ContactCodecs, Person, Place } from './contact.js';
import { decodeWith, orThrow, renderFound } from './errors.js';
import type { Decoded } from './errors.js';
import { FormDoc } from './form.js';
import type { ContactTypeConfig } from './hierarchy.js';
import { Report } from './report.js';
import { TargetDoc } from './target.js';
import { TaskDoc } from './task.js';
import { UserDoc, UserSettingsDoc } from './user.js';

/** A document of a type the spec does not name (design docs, app settings, anything else), untouched. */
export type OtherDoc = BaseDoc & Readonly<Record<string, unknown>>;

/** A decoded document, tagged by kind. */
export type DecodedDoc =
  | { readonly kind: 'person'; readonly doc: Person }
  | { readonly kind: 'place'; readonly doc: Place }
  | { readonly kind: 'report'; readonly doc: Report }
  | { readonly kind: 'form'; readonly doc: FormDoc }
  | { readonly kind: 'user'; readonly doc: UserDoc }
  | { readonly kind: 'user-settings'; readonly doc: UserSettingsDoc }
  | { readonly kind: 'task'; readonly doc: TaskDoc }
  | { readonly kind: 'target'; readonly doc: TargetDoc }
  | { readonly kind: 'deleted'; readonly doc: OtherDoc }
  | { readonly kind: 'other'; readonly doc: OtherDoc };

/** The kinds {@link decodeDoc} tells apart. */
export type DocKind = DecodedDoc['kind'];

/** Options of {@link createDocDecoder}. */
export interface DecodeOptions {
  /** The app's hierarchy (app settings `contact_types`); the CHT default when omitted. */
  readonly contactTypes?: readonly ContactTypeConfig[];
}

/** Decodes documents with one hierarchy configuration. */
export interface DocDecoder {
  /** Decodes any document; never throws, whatever the input. */
  decodeDoc(input: unknown): Decoded<DecodedDoc>;
  /**
   * Decodes any document.
   * @throws {@link FieldsyncDecodeError} with every problem when it does not decode.
   */
  decodeDocOrThrow(input: unknown): DecodedDoc;
  /** The contact codecs of this hierarchy. */
  readonly contacts: ContactCodecs;
}

function tagged<K extends DocKind, A>(kind: K, codec: t.Type<A, unknown, unknown>, input: unknown): Decoded<{ readonly kind: K; readonly doc: A }> {
  const result = decodeWith(codec, input);
  return isLeft(result) ? result : right({ kind, doc: result.right });
}

/** Builds a decoder for one hierarchy configuration. */
export function createDocDecoder(options: DecodeOptions = {}): DocDecoder {
  const contacts = contactCodecs(options.contactTypes);
  const decode = (input: unknown): Decoded<DecodedDoc> => {
    if (!isRecord(input)) {
      return left([{ kind: 'decode', path: '', expected: 'a document (an object with an _id)', found: renderFound(input) }]);
    }
    if (input['_deleted'] === true) return tagged('deleted', BaseDoc, input);
    const type = input['type'];
    switch (type) {
      case 'data_record': return tagged('report', Report, input);
      case 'form': return tagged('form', FormDoc, input);
      case 'user': return tagged('user', UserDoc, input);
      case 'user-settings': return tagged('user-settings', UserSettingsDoc, input);
      case 'task': return tagged('task', TaskDoc, input);
      case 'target': return tagged('target', TargetDoc, input);
      default: {
        const cls = contacts.hierarchy.classify(type, input['contact_type']);
        if (cls?.kind === 'person') return tagged('person', contacts.Person, input);
        if (cls?.kind === 'place') return tagged('place', contacts.Place, input);
        // A configurable contact whose contact_type the hierarchy does not know: the Contact codec says so.
        if (type === 'contact') {
          const failed = decodeWith(contacts.Contact, input);
          if (isLeft(failed)) return failed;
        }
        return tagged('other', BaseDoc, input);
      }
    }
  };
  return { decodeDoc: decode, decodeDocOrThrow: (input) => orThrow(decode(input)), contacts };
}

const defaultDecoder = createDocDecoder();

/** Decodes any document with the default hierarchy; never throws, whatever the input. */
export function decodeDoc(input: unknown): Decoded<DecodedDoc> {
  return defaultDecoder.decodeDoc(input);
}

/**
 * Decodes any document with the default hierarchy.
 * @throws {@link FieldsyncDecodeError} with every problem when it does not decode.
 */
export function decodeDocOrThrow(input: unknown): DecodedDoc {
  return defaultDecoder.decodeDocOrThrow(input);
}
