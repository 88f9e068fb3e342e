/**
 * Task problems as values: a bad time zone, a task definition that cannot be used. They become an
 * exception only at the public edge, as one {@link FieldsyncTaskError}.
 */

/** One thing wrong with the task configuration or its inputs. */
export type TaskProblem =
  | { readonly kind: 'invalid-time-zone'; readonly timeZone: string }
  | { readonly kind: 'invalid-now'; readonly now: number }
  | { readonly kind: 'invalid-task-definition'; readonly task: string; readonly field: string; readonly reason: string }
  | { readonly kind: 'invalid-cht-config'; readonly file: string; readonly reason: string };

/** One line for one problem. */
export function formatTaskProblem(problem: TaskProblem): string {
  switch (problem.kind) {
    case 'invalid-time-zone':
      return `unknown time zone ${JSON.stringify(problem.timeZone)}`;
    case 'invalid-now':
      return `now is not a valid time: ${String(problem.now)}`;
    case 'invalid-task-definition':
      return `task ${JSON.stringify(problem.task)}: ${problem.field}: ${problem.reason}`;
    case 'invalid-cht-config':
      return `CHT config file ${JSON.stringify(problem.file)}: ${problem.reason}`;
  }
}

/** The one error class thrown at the public edge of the tasks capability; carries every problem. */
export class FieldsyncTaskError extends Error {
  /** The kind of the first problem (all of them are in {@link FieldsyncTaskError.problems}). */
  readonly kind: TaskProblem['kind'];
  /** Every problem found, never empty. */
  readonly problems: readonly [TaskProblem, ...TaskProblem[]];

  constructor(problems: readonly [TaskProblem, ...TaskProblem[]]) {
    super(problems.map(formatTaskProblem).join('\n'));
    this.name = 'FieldsyncTaskError';
    this.kind = problems[0].kind;
    this.problems = problems;
  }
}
