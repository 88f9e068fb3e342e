/**
 * Several documents for one emission. Task ids carry the time they were authored, so two devices
 * of one user (or one device after a reinstall) write different documents for the same task; after
 * they sync, both are on each device (CHT #6389). Terminal documents are history and never compete;
 * among the live (Draft or Ready) ones exactly one is kept, chosen the same way on every device.
 */
import type { TaskDoc } from '../codecs/index.js';
import { isTerminal, readiness } from './state.js';

/** Orders documents best first: most ready state, then newest `authoredOn`, then greatest `_id` (so the choice never depends on input order). */
export function compareMostReady(a: TaskDoc, b: TaskDoc): number {
  return readiness(a.state) - readiness(b.state) || b.authoredOn - a.authoredOn || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0);
}

/** Orders documents newest first: newest `authoredOn`, then most ready, then greatest `_id`. */
export function compareNewest(a: TaskDoc, b: TaskDoc): number {
  return b.authoredOn - a.authoredOn || readiness(a.state) - readiness(b.state) || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0);
}

/** The documents of one emission, sorted out. */
export interface EmissionDocs {
  /** The one live (Draft or Ready) document kept, if any. */
  readonly live: TaskDoc | undefined;
  /** The newest terminal document, if any: what a new calculation is compared with when nothing is live. */
  readonly latestTerminal: TaskDoc | undefined;
  /** Live documents that lost to {@link EmissionDocs.live}: to be Cancelled with reason `duplicate`. */
  readonly duplicates: readonly TaskDoc[];
}

/** Sorts the documents of one emission (none authored in the future) into the one to keep, the newest terminal one, and the duplicates. */
export function sortEmissionDocs(docs: readonly TaskDoc[]): EmissionDocs {
  const live: TaskDoc[] = [];
  let latestTerminal: TaskDoc | undefined;
  for (const doc of docs) {
    if (!isTerminal(doc.state)) live.push(doc);
    else if (latestTerminal === undefined || compareNewest(doc, latestTerminal) < 0) latestTerminal = doc;
  }
  live.sort(compareMostReady);
  return { live: live[0], latestTerminal, duplicates: live.slice(1) };
}
