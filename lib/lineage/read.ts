/**
 * Reading what a hydrate batch needs, in rounds: each round asks for every id the batch needs and
 * has not read, in one request for the whole batch.
 *
 * With the lineage view (DocSource.findContacts), a round reads contacts by id and by shortcode
 * together with each one's primary contact, so a batch of live contacts is read in 2 requests: what
 * the batch names (chains, authors, subjects by shortcode or uuid, primary contacts, linked docs), then
 * what those name (a subject's or a bare-id author's ancestors). An id the view does not hold (not a
 * live contact: missing, deleted, or another type) is read by id in the next round, which also tells
 * a deletion from a document that never was. Without the view, shortcodes come first (one query) and
 * then ids round by round, each place's primary contact a round after the place: up to 4 requests.
 */
import type { DocSource, StoredDoc } from '../sources/types.js';
import { readChain } from './chain.js';
import type { StoredChain } from './chain.js';
import { isContact, isObject, isReport, linkedDocs, refId, reportSubjects } from './shapes.js';
import type { Json } from './shapes.js';

/** Rounds of reads at most; only chains stored incompletely (not as minify stores them) need more than 3. */
const MAX_ROUNDS = 6;

/** What a batch has read so far. */
export interface Batch {
  readonly known: Map<string, StoredDoc>;
  readonly deleted: Set<string>;
  readonly byShortcode: Map<string, StoredDoc>;
  readonly maxDepth: number;
}

/** A contact's own stored chain, its own id counted as seen. */
export function ownChain(doc: Json, maxDepth: number): StoredChain {
  return readChain(doc['parent'], maxDepth, typeof doc['_id'] === 'string' ? [doc['_id']] : []);
}

/** Resolves a `patient_id`/`place_id` value: a shortcode when one matches, else a uuid. */
export function resolveSubject(batch: Batch, ref: string | undefined): StoredDoc | undefined {
  if (ref === undefined) return undefined;
  return batch.byShortcode.get(ref) ?? batch.known.get(ref);
}

/** Every id the batch needs given what is known so far. */
function neededIds(docs: readonly Json[], batch: Batch): Set<string> {
  const needed = new Set<string>();
  const addChain = (chain: StoredChain): void => {
    for (const id of chain.ids) {
      needed.add(id);
      const place = batch.known.get(id);
      const contactId = place ? refId(place['contact']) : undefined;
      if (contactId) needed.add(contactId);
    }
  };
  const addContactLineage = (contact: Json): void => {
    addChain(ownChain(contact, batch.maxDepth));
    const primary = refId(contact['contact']);
    if (primary) needed.add(primary);
  };
  for (const doc of docs) {
    if (isContact(doc)) {
      addContactLineage(doc);
      for (const ref of Object.values(linkedDocs(doc) ?? {})) {
        const id = refId(ref);
        if (id) needed.add(id);
      }
    } else if (isReport(doc)) {
      const author = doc['contact'];
      const authorId = refId(author);
      if (authorId) {
        needed.add(authorId);
        if (isObject(author)) addChain(readChain(author['parent'], batch.maxDepth, [authorId]));
        else {
          // A bare id names no chain: the author's own stored parent does, once the author is read.
          const authorDoc = batch.known.get(authorId);
          if (authorDoc) addChain(ownChain(authorDoc, batch.maxDepth));
        }
      }
      const { patientCode, patientUuid, placeCode } = reportSubjects(doc);
      for (const ref of [patientCode, patientUuid, placeCode]) {
        if (ref === undefined) continue;
        const subject = resolveSubject(batch, ref);
        if (subject) addContactLineage(subject);
        else if (!batch.byShortcode.has(ref)) needed.add(ref);
      }
    }
  }
  return needed;
}

/** The shortcodes the batch's reports name. */
function shortcodesOf(docs: readonly Json[]): string[] {
  const codes = new Set<string>();
  for (const doc of docs) {
    if (!isReport(doc)) continue;
    const { patientCode, placeCode } = reportSubjects(doc);
    if (patientCode) codes.add(patientCode);
    if (placeCode) codes.add(placeCode);
  }
  return [...codes];
}

function remember(batch: Batch, found: ReadonlyMap<string, StoredDoc>, byShortcode: ReadonlyMap<string, StoredDoc>): void {
  for (const [code, contact] of byShortcode) {
    batch.byShortcode.set(code, contact);
    batch.known.set(contact._id, contact);
  }
  // Never in place of a document already in hand: the view also returns documents of the batch itself.
  for (const [id, doc] of found) if (!batch.known.has(id)) batch.known.set(id, doc);
}

/** Reads into `batch` everything `docs` need from `source`. */
export async function readBatch(docs: readonly Json[], batch: Batch, source: DocSource): Promise<void> {
  let codes = shortcodesOf(docs);
  let withView = source.findContacts !== undefined;
  const askedView = new Set<string>();
  const askedById = new Set<string>();
  for (let round = 0; round < MAX_ROUNDS;) {
    if (!withView && codes.length > 0) {
      // Without the view, shortcodes first: which of them are uuids is known only once they are looked up.
      remember(batch, new Map(), await source.findByShortcodes(codes));
      codes = [];
    }
    const missing = [...neededIds(docs, batch)].filter((id) => !batch.known.has(id) && !askedById.has(id));
    const forView = withView ? missing.filter((id) => !askedView.has(id)) : [];
    const byId = missing.filter((id) => !withView || askedView.has(id));
    if (forView.length === 0 && codes.length === 0 && byId.length === 0) return;
    const viewRead = async (): Promise<boolean> => {
      if (forView.length === 0 && codes.length === 0) return true;
      const lookup = await source.findContacts?.(forView, codes);
      if (!lookup) return false;
      for (const id of forView) askedView.add(id);
      codes = [];
      remember(batch, lookup.found, lookup.byShortcode);
      return true;
    };
    const idRead = async (): Promise<void> => {
      if (byId.length === 0) return;
      for (const id of byId) askedById.add(id);
      const { found, deleted } = await source.getMany(byId);
      remember(batch, found, new Map());
      for (const id of deleted) batch.deleted.add(id);
    };
    const [viewAnswered] = await Promise.all([viewRead(), idRead()]);
    // A database without the view: the same round again, by id and through the shortcode view.
    if (viewAnswered) round += 1;
    else withView = false;
  }
}
