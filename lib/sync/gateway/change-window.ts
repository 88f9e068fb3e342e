/**
 * The change index's window: the latest changes of the database in the order CouchDB gave them, each with
 * the replication keys of its document before and after, bounded to `capacity` entries (the oldest go
 * first). A position is a database sequence the window can answer from: its start, any entry's sequence,
 * or the end of a batch (`mark`). Sequences are opaque: looked up by string equality only.
 */

/** One change of a document, as the index saw it. */
export interface WindowChange {
  readonly seq: string;
  readonly id: string;
  /** Every leaf revision, as `style=all_docs` lists them. */
  readonly revs: readonly string[];
  readonly winner: string;
  readonly deleted: boolean;
  /** Replication keys of the document before this change (empty when it had none or was new). */
  readonly before: readonly string[];
  /** Its keys after; a deletion keeps the last live keys. */
  readonly after: readonly string[];
}

type Item = { readonly seq: string; readonly change?: WindowChange };

/** The bounded window. */
export interface ChangeWindow {
  /** Appends a change. */
  push(change: WindowChange): void;
  /** Makes `seq` a position (the end of a batch) without a change. */
  mark(seq: string): void;
  /** The changes after position `seq`, oldest first; undefined when `seq` is not a position of the window. */
  after(seq: string): readonly WindowChange[] | undefined;
  /** The latest position. */
  readonly end: string;
  readonly size: number;
}

/** An empty window starting at `start`, holding at most `capacity` items. */
export function changeWindow(start: string, capacity: number): ChangeWindow {
  let items: Item[] = [];
  // Absolute number of the first item held; the start position is number first - 1.
  let first = 0;
  let startSeq = start;
  const positions = new Map<string, number>([[start, -1]]);
  const add = (item: Item): void => {
    positions.set(item.seq, first + items.length);
    items.push(item);
    if (items.length <= capacity) return;
    // Drop a tenth at once, so eviction costs O(1) per item on average.
    const drop = Math.max(1, Math.floor(capacity / 10));
    // The old start and the dropped items are positions no more (unless a later item has the same sequence).
    if (positions.get(startSeq) === first - 1) positions.delete(startSeq);
    for (const gone of items.slice(0, drop)) if ((positions.get(gone.seq) ?? Infinity) < first + drop) positions.delete(gone.seq);
    startSeq = items[drop - 1]!.seq;
    items = items.slice(drop);
    first += drop;
    positions.set(startSeq, first - 1);
  };
  const indexOf = (seq: string): number | undefined => {
    const at = positions.get(seq);
    return at === undefined || at < first - 1 ? undefined : at - first + 1;
  };
  return {
    push: (change) => add({ seq: change.seq, change }),
    mark(seq) {
      if (seq !== (items.at(-1)?.seq ?? startSeq)) add({ seq });
    },
    after(seq) {
      const from = indexOf(seq);
      if (from === undefined) return undefined;
      return items.slice(from).flatMap((item) => (item.change ? [item.change] : []));
    },
    get end() { return items.at(-1)?.seq ?? startSeq; },
    get size() { return items.length; },
  };
}
