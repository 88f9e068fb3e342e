/**
 * hydrate: contacts and reports ready for use, for a whole batch in a bounded number of requests.
 *
 * Every id a batch needs is known from what is stored: a minified chain lists all its ancestors,
 * a place names its primary contact, a report names its author, patient and place. So the
 * documents are read in rounds (see read.ts), each round one request for the whole batch: 2 with
 * the lineage view, at most 4 without it, however deep the hierarchy and however many documents.
 * Lookups are by Map; a hydrated place shared by many documents is built once and shared.
 */
import type { DocSource, StoredDoc } from '../sources/types.js';
import { readChain } from './chain.js';
import type { StoredChain } from './chain.js';
import { isIncomplete, LineageNotFoundError, problemKey } from './problems.js';
import type { LineageProblem } from './problems.js';
import { ownChain, readBatch, resolveSubject } from './read.js';
import type { Batch } from './read.js';
import { isContact, isObject, isReport, linkedDocs, refId, reportSubjects } from './shapes.js';
import type { Json } from './shapes.js';
import type { Hydrated } from './hydrated.js';

/** Options of {@link hydrate}. */
export interface HydrateOptions {
  /** Chains deeper than this are filled this far and the rest kept as stored (default 20). */
  readonly maxDepth?: number;
  /**
   * Throw a {@link LineageNotFoundError} (404) instead of returning problems when a document's
   * lineage cannot be completed: a missing document (by id), parent or contact, a cycle, a chain cut
   * at `maxDepth`. A missing patient, place or linked doc never throws. (cht-core's option of this
   * name throws only when the document itself is missing or has no lineage at all.)
   */
  readonly throwWhenMissingLineage?: boolean;
}

/** A hydrated batch, in input order, with what could not be filled. */
export interface HydrateResult<T = Hydrated<Json>> {
  /** A mutable array, so it can be handed to `bulkDocs` or sorted in place. */
  readonly docs: T[];
  readonly problems: readonly LineageProblem[];
}

/** Builds hydrated objects from the known documents, sharing what is shared. */
class Builder {
  private readonly chains = new Map<string, Json | undefined>();
  private readonly problems = new Map<string, LineageProblem>();

  constructor(private readonly batch: Batch) {}

  report(problem: LineageProblem): void {
    this.problems.set(problemKey(problem), problem);
  }

  allProblems(): LineageProblem[] {
    return [...this.problems.values()];
  }

  /** A place's (or person's) primary contact: the person as stored, with the stored reference's chain. */
  primaryContact(ownerId: string, ref: unknown): unknown {
    const id = refId(ref);
    if (id === undefined) return ref;
    const person = this.batch.known.get(id);
    if (!person) {
      this.report({ kind: 'missing-contact', docId: ownerId, contactId: id, deleted: this.batch.deleted.has(id) });
      return ref;
    }
    // Keep the chain the reference stored, so minify gives back exactly what was stored.
    const { parent: _ownParent, ...rest } = person;
    return isObject(ref) && 'parent' in ref ? { ...rest, parent: ref['parent'] } : rest;
  }

  /** A hydrated chain for `docId`: each level the full place with its primary contact. */
  chain(docId: string, chain: StoredChain): Json | undefined {
    if (chain.cut) this.report(chain.cut.kind === 'cycle' ? { kind: 'cycle', docId, repeatedId: chain.cut.repeatedId } : { kind: 'too-deep', docId, limit: chain.cut.limit });
    let above: unknown = chain.remainder;
    for (let i = chain.ids.length - 1; i >= 0; i -= 1) {
      above = this.level(docId, chain.ids.slice(i), i === chain.ids.length - 1 ? chain.remainder : undefined, above);
    }
    return above as Json | undefined;
  }

  private level(docId: string, ids: readonly string[], remainder: unknown, above: unknown): Json {
    const id = ids[0] as string;
    const key = remainder === undefined ? ids.join('\u0000') : undefined;
    const cached = key === undefined ? undefined : this.chains.get(key);
    const place = this.batch.known.get(id);
    if (!place) this.report({ kind: 'missing-parent', docId, parentId: id, deleted: this.batch.deleted.has(id) });
    if (cached) return cached;
    const built: Record<string, unknown> = place ? { ...place } : { _id: id };
    if (above === undefined) delete built['parent'];
    else built['parent'] = above;
    if (place && 'contact' in place) built['contact'] = this.primaryContact(id, place['contact']);
    if (key !== undefined) this.chains.set(key, built);
    return built;
  }

  /** A contact with its chain, primary contact and (for input docs) linked docs. */
  contact(doc: Json, withLinks: boolean): Json {
    const docId = String(doc['_id']);
    const out: Record<string, unknown> = { ...doc };
    if ('parent' in doc) {
      const chain = ownChain(doc, this.batch.maxDepth);
      out['parent'] = chain.ids.length > 0 || chain.cut ? this.chain(docId, chain) : doc['parent'];
    }
    if ('contact' in doc) out['contact'] = this.primaryContact(docId, doc['contact']);
    const links = withLinks ? linkedDocs(doc) : undefined;
    if (links) {
      out['linked_docs'] = Object.fromEntries(Object.entries(links).map(([tag, ref]) => {
        const id = refId(ref);
        const linked = id === undefined ? undefined : this.batch.known.get(id);
        if (id !== undefined && !linked) this.report({ kind: 'missing-linked-doc', docId, tag, linkedId: id, deleted: this.batch.deleted.has(id) });
        return [tag, linked ?? ref];
      }));
    }
    return out;
  }

  /** A report with its author (and the author's chain), patient and place. */
  reportDoc(doc: Json): Json {
    const docId = String(doc['_id']);
    const out: Record<string, unknown> = { ...doc };
    const author = doc['contact'];
    const authorId = refId(author);
    if (authorId !== undefined) {
      const authorDoc = this.batch.known.get(authorId);
      if (!authorDoc) this.report({ kind: 'missing-contact', docId, contactId: authorId, deleted: this.batch.deleted.has(authorId) });
      const { parent: _ownParent, ...authorFields } = authorDoc ?? { _id: authorId };
      const hydratedAuthor: Record<string, unknown> = { ...authorFields };
      // The chain the reference stored, or for a bare id the author's own.
      const stored = isObject(author) ? author : authorDoc;
      if (stored && 'parent' in stored) {
        const chain = readChain(stored['parent'], this.batch.maxDepth, [authorId]);
        hydratedAuthor['parent'] = chain.ids.length > 0 || chain.cut ? this.chain(docId, chain) : stored['parent'];
      }
      out['contact'] = authorDoc || isObject(author) ? hydratedAuthor : author;
    }
    const { patientCode, patientUuid, placeCode } = reportSubjects(doc);
    const patientRef = patientCode ?? patientUuid;
    if (patientRef !== undefined) {
      const patient = resolveSubject(this.batch, patientCode) ?? resolveSubject(this.batch, patientUuid);
      if (patient) out['patient'] = this.contact(patient, false);
      else this.report({ kind: 'missing-patient', docId, ref: patientRef });
    }
    if (placeCode !== undefined) {
      const place = resolveSubject(this.batch, placeCode);
      if (place) out['place'] = this.contact(place, false);
      else this.report({ kind: 'missing-place', docId, ref: placeCode });
    }
    return out;
  }
}

/**
 * Hydrates a batch of contacts and/or reports read from `source`. Documents that are neither are
 * returned as they are. Inputs are never modified. Missing documents, cycles and over-deep chains
 * are reported in `problems`; the affected levels stay as stored `{_id}` stubs.
 */
export async function hydrate<T extends object>(input: readonly T[], source: DocSource, options: HydrateOptions = {}): Promise<HydrateResult<Hydrated<T>>> {
  // Any object: PouchDB's document types are interfaces without an index signature.
  const docs = input as readonly object[] as readonly Json[];
  const batch: Batch = { known: new Map(), deleted: new Set(), byShortcode: new Map(), maxDepth: options.maxDepth ?? 20 };
  for (const doc of docs) {
    if (typeof doc['_id'] === 'string') batch.known.set(doc['_id'], doc as unknown as StoredDoc);
  }
  await readBatch(docs, batch, source);
  const builder = new Builder(batch);
  const hydrated = docs.map((doc) => {
    if (isContact(doc)) return builder.contact(doc, true) as Hydrated<T>;
    if (isReport(doc)) return builder.reportDoc(doc) as Hydrated<T>;
    return doc as Hydrated<T>;
  });
  return checked({ docs: hydrated, problems: builder.allProblems() }, options);
}

function checked<T>(result: HydrateResult<T>, options: HydrateOptions): HydrateResult<T> {
  if (options.throwWhenMissingLineage !== true) return result;
  const [first, ...rest] = result.problems.filter(isIncomplete);
  if (first) throw new LineageNotFoundError([first, ...rest]);
  return result;
}

/**
 * Reads documents by id and hydrates them, in one request more than {@link hydrate}. Ids not found
 * are left out of `docs` and reported as `missing-doc` (with `throwWhenMissingLineage`, thrown);
 * an id given twice gives the document twice. A report without `form` (an SMS) is hydrated like
 * any report, as cht-core's `hydrateDocs` does.
 */
export async function hydrateByIds(ids: readonly string[], source: DocSource, options: HydrateOptions = {}): Promise<HydrateResult> {
  const unique = [...new Set(ids)];
  const { found, deleted } = unique.length > 0 ? await source.getMany(unique) : { found: new Map<string, StoredDoc>(), deleted: new Set<string>() };
  const missing: LineageProblem[] = unique.filter((id) => !found.has(id)).map((id) => ({ kind: 'missing-doc', docId: id, deleted: deleted.has(id) }));
  const docs = ids.flatMap((id) => { const doc = found.get(id); return doc ? [doc] : []; });
  const result = await hydrate(docs, source, { ...options, throwWhenMissingLineage: false });
  return checked({ docs: result.docs, problems: [...missing, ...result.problems] }, options);
}
