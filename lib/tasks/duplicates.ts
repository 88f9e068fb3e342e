/**
 * Several documents for one emission. Task ids carry the time they were authored, so two devices
 * of one user (or one device after a reinstall) write different documents for the same task; after
 * they sync, both are on each device (CHT #6389). Terminal documents are history and never compete;
 * among the live (Draft or Ready) ones exactly one is kept, chosen the same way on every device.
 *
 * Clocks differ between devices, so the choice never depends on the reader's clock: every document
 * competes, whatever its `authoredOn` (a device ahead of the others authors "in the future" for
 * them). A terminal state recorded after the reader's `now` was decided by a clock ahead of the
 * reader's; it is not final for that reader, which treats the document as live (see
 * {@link isFinal}), so a skewed clock never makes a terminal state that cannot be undone.
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

/** When the document's current state was recorded: its last history entry, else when it was authored. */
export function stateRecordedAt(doc: TaskDoc): number {
  return doc.stateHistory[doc.stateHistory.length - 1]?.timestamp ?? doc.authoredOn;
}

/**
 * Whether the document's state is final for a reader at `now`: a terminal state recorded at or
 * before `now`. A terminal state recorded after `now` came from a clock ahead of this one.
 */
export function isFinal(doc: TaskDoc, now: number): boolean {
  return isTerminal(doc.state) && stateRecordedAt(doc) <= now;
}

/** The documents of one emission, sorted out. */
export interface EmissionDocs {
  /** The one live document kept, if any: Draft or Ready, or terminal but not final at `now`. */
  readonly live: TaskDoc | undefined;
  /**
   * The newest final terminal document that is not a cancelled duplicate, if any: what a new
   * calculation is compared with when nothing is live.
   */
  readonly latestTerminal: TaskDoc | undefined;
  /** Live documents that lost to {@link EmissionDocs.live}: to be Cancelled with reason `duplicate`. */
  readonly duplicates: readonly TaskDoc[];
}

/**
 * Sorts the documents of one emission into the one to keep, the newest final terminal one, and the
 * duplicates. With `now` omitted every terminal document is final.
 */
export function sortEmissionDocs(docs: readonly TaskDoc[], now = Number.POSITIVE_INFINITY): EmissionDocs {
  const live: TaskDoc[] = [];
  let latestTerminal: TaskDoc | undefined;
  for (const doc of docs) {
    if (!isFinal(doc, now)) live.push(doc);
    // A duplicate lost to another document of the same task: it says nothing about the task itself.
    else if (doc.stateReason === 'duplicate') continue;
    else if (latestTerminal === undefined || compareNewest(doc, latestTerminal) < 0) latestTerminal = doc;
  }
  live.sort(compareMostReady);
  return { live: live[0], latestTerminal, duplicates: live.slice(1) };
}
