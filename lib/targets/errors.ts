/** Target problems as values; one {@link FieldsyncTargetError} at the public edge. */

/** One thing wrong with a target configuration. */
export type TargetProblem =
  | { readonly kind: 'invalid-month-start-day'; readonly value: unknown }
  | { readonly kind: 'invalid-target-date'; readonly emissionId: string; readonly requester: string; readonly date: unknown }
  | { readonly kind: 'invalid-target-definition'; readonly target: string; readonly field: string; readonly reason: string };

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === null ? 'null' : `a ${typeof value}`;
}

/** One line for one problem. */
export function formatTargetProblem(problem: TargetProblem): string {
  switch (problem.kind) {
    case 'invalid-month-start-day':
      return `month start day must be an integer from 1 to 31, found ${JSON.stringify(problem.value)}`;
    case 'invalid-target-date':
      return `target emission ${JSON.stringify(problem.emissionId)} of ${JSON.stringify(problem.requester)}: its date cannot be read (${describeValue(problem.date)}); it is not counted`;
    case 'invalid-target-definition':
      return `target ${JSON.stringify(problem.target)}: ${problem.field}: ${problem.reason}`;
  }
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
