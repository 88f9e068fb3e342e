/**
 * The last handler of the embedded server: whatever a route throws or passes on is answered in
 * CouchDB's `{error, reason}` format, a 4xx for what the client got wrong (malformed JSON or
 * percent-encoding, a body too large), a 500 only for a fault of the server, which is reported.
 * Never Express's HTML page with a stack trace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Where faults of the server are reported. */
export type ServerFaultLog = (error: unknown, request: { readonly method: string; readonly url: string }) => void;

/** CouchDB's error words for the client errors Express and body-parser raise, by `type`. */
const CLIENT_ERRORS: Readonly<Record<string, string>> = {
  'entity.parse.failed': 'bad_request',
  'entity.too.large': 'too_large',
  'encoding.unsupported': 'bad_content_type',
  'charset.unsupported': 'bad_content_type',
  'request.aborted': 'bad_request',
  'request.size.invalid': 'bad_request',
};

function clientStatus(err: unknown): number | undefined {
  const e = err as { status?: unknown; statusCode?: unknown } | null;
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  return status !== undefined && Number.isInteger(status) && status >= 400 && status < 500 ? status : undefined;
}

/** An Express error handler (four arguments) that never lets an error escape. */
export function couchErrorHandler(log: ServerFaultLog): (err: unknown, req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
   
  return (err, req, res, _next) => {
    const status = clientStatus(err);
    if (status === undefined) log(err, { method: req.method ?? '', url: req.url ?? '' });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const e = err as { type?: unknown; message?: unknown; name?: unknown };
    const body = status === undefined
      ? { error: 'unknown_error', reason: 'The server failed to answer this request.' }
      : {
          error: (typeof e.type === 'string' && CLIENT_ERRORS[e.type]) || (status === 404 ? 'not_found' : 'bad_request'),
          reason: typeof e.message === 'string' ? e.message : 'Bad request.',
        };
    const text = JSON.stringify(body);
    res.writeHead(status ?? 500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
}
