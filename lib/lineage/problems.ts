/** What hydration could not fill, reported as values instead of thrown. */
export type LineageProblem =
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
