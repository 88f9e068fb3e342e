/** An error the CLI prints as one line (no stack trace) before exiting non-zero. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

/** Turns any failure into the one line a person reads. */
export function describeFailure(err: unknown): string {
  if (err instanceof CliError) return err.message;
  const e = err as { code?: string; message?: string; statusCode?: number; reason?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'UND_ERR_CONNECT_TIMEOUT') return `cannot reach the server (${code})`;
  if (e.statusCode === 401) return 'wrong credentials (401 unauthorized)';
  if (e.statusCode === 404) return `not found: ${e.reason ?? e.message ?? ''}`.trim();
  return e.message ?? String(err);
}
