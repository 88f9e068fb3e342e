/** Target problems as values; one {@link FieldsyncTargetError} at the public edge. */

/** One thing wrong with a target configuration. */
export type TargetProblem =
  | { readonly kind: 'invalid-month-start-day'; readonly value: unknown }
  | { readonly kind: 'invalid-target-definition'; readonly target: string; readonly field: string; readonly reason: string };

/** One line for one problem. */
export function formatTargetProblem(problem: TargetProblem): string {
  return problem.kind === 'invalid-month-start-day'
    ? `month start day must be an integer from 1 to 31, found ${JSON.stringify(problem.value)}`
    : `target ${JSON.stringify(problem.target)}: ${problem.field}: ${problem.reason}`;
}

/** The error thrown at the public edge of the targets capability; carries every problem. */
export class FieldsyncTargetError extends Error {
  /** The kind of the first problem. */
  readonly kind: TargetProblem['kind'];
  constructor(readonly problems: readonly [TargetProblem, ...TargetProblem[]]) {
    super(problems.map(formatTargetProblem).join('\n'));
    this.name = 'FieldsyncTargetError';
    this.kind = problems[0].kind;
  }
}
