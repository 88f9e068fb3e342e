/** What hydration could not fill, reported as values instead of thrown. */
export type LineageProblem =
  | { readonly kind: 'missing-doc'; readonly docId: string; readonly deleted: boolean }
  | { readonly kind: 'missing-parent'; readonly docId: string; readonly parentId: string; readonly deleted: boolean }
  | { readonly kind: 'missing-contact'; readonly docId: string; readonly contactId: string; readonly deleted: boolean }
  | { readonly kind: 'missing-linked-doc'; readonly docId: string; readonly tag: string; readonly linkedId: string; readonly deleted: boolean }
  | { readonly kind: 'missing-patient'; readonly docId: string; readonly ref: string }
  | { readonly kind: 'missing-place'; readonly docId: string; readonly ref: string }
  | { readonly kind: 'cycle'; readonly docId: string; readonly repeatedId: string }
  | { readonly kind: 'too-deep'; readonly docId: string; readonly limit: number };

/** A stable key per problem, to report each once. */
export function problemKey(problem: LineageProblem): string {
  return JSON.stringify(problem);
}

/** The problems that leave a document's lineage incomplete: a missing document, parent or contact, a cycle, a cut chain. */
const INCOMPLETE: ReadonlySet<LineageProblem['kind']> = new Set<LineageProblem['kind']>(['missing-doc', 'missing-parent', 'missing-contact', 'cycle', 'too-deep']);

/** Whether a problem leaves a lineage incomplete (a missing patient, place or linked doc does not: cht-core leaves those out). */
export function isIncomplete(problem: LineageProblem): boolean {
  return INCOMPLETE.has(problem.kind);
}

/**
 * Thrown by hydration with `throwWhenMissingLineage` when a document's lineage cannot be completed.
 * 404-like, as cht-core's error (`code` and `status` 404), and it lists every problem.
 */
export class LineageNotFoundError extends Error {
  override readonly name = 'LineageNotFoundError';
  /** 404, as cht-core's `Document not found` error has. */
  readonly code = 404;
  /** 404, as PouchDB's and CouchDB's not-found errors have. */
  readonly status = 404;
  constructor(readonly problems: readonly [LineageProblem, ...LineageProblem[]]) {
    super(`lineage cannot be completed: ${problems.map((p) => `${p.kind} in ${p.docId}`).join(', ')}`);
  }
}
