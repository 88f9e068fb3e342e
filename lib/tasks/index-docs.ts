/**
 * Task documents indexed by requester. A refresh recalculates one requester's tasks, so it needs
 * that requester's documents without scanning the others: this index is what makes an incremental
 * refresh cost one contact, not the whole catchment.
 */
import type { TaskDoc } from '../codecs/index.js';

/** A user's task documents grouped by `requester`. */
export type TaskDocIndex = ReadonlyMap<string, readonly TaskDoc[]>;

/** Groups task documents by `requester`. */
export function indexTaskDocs(docs: Iterable<TaskDoc>): TaskDocIndex {
  const index = new Map<string, TaskDoc[]>();
  for (const doc of docs) {
    const group = index.get(doc.requester);
    if (group) group.push(doc);
    else index.set(doc.requester, [doc]);
  }
  return index;
}

/**
 * A new index with `written` documents applied (replacing documents with the same `_id`, adding the
 * rest). Only the groups of the written documents' requesters are rebuilt; the lifecycle never
 * changes a document's requester, so a document stays in its group.
 */
export function withWrittenDocs(index: TaskDocIndex, written: readonly TaskDoc[]): TaskDocIndex {
  if (written.length === 0) return index;
  const byRequester = indexTaskDocs(written);
  const next = new Map(index);
  for (const [requester, docs] of byRequester) {
    const replaced = new Map((index.get(requester) ?? []).map((d) => [d._id as string, d]));
    for (const doc of docs) replaced.set(doc._id, doc);
    next.set(requester, [...replaced.values()]);
  }
  return next;
}
