/**
 * CORS for pages on another origin than the gateway (a Vite dev server, a Capacitor or Cordova webview).
 * A preflight is answered before authentication (browsers send it without credentials); every answer
 * to a listed origin carries `Access-Control-Allow-Origin` with that origin, and every answer carries
 * `Vary: Origin` so no cache hands one origin's answer to another.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http.js';

/** Options of the gateway's CORS. */
export interface CorsOptions {
  /** Origins allowed to call the gateway, exactly as browsers send them: `http://localhost:5173`, `capacitor://localhost`. */
  readonly origins: readonly string[];
  /**
   * Whether pages may send credentials (a `_session` cookie; the sync client sends them). Default true;
   * with false a page must sign in with `auth` (Basic) and its cookies are ignored.
   */
  readonly credentials?: boolean;
}

const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+$/i;

/** Whether `text` is an origin as browsers send it: `scheme://host[:port]`, no path. */
export function isOrigin(text: string): boolean {
  return ORIGIN.test(text);
}
const HEADER_LIST = /^[A-Za-z0-9-]+(\s*,\s*[A-Za-z0-9-]+)*$/;
const METHODS = 'GET, POST, PUT, DELETE';

/**
 * The CORS step of the gateway: returns true when it answered the request itself (a preflight).
 * @throws TypeError at creation for an origin that is not `scheme://host[:port]`.
 */
export function corsStep(options: CorsOptions | undefined): (req: IncomingMessage, res: ServerResponse) => boolean {
  if (!options) return () => false;
  for (const origin of options.origins) {
    if (!isOrigin(origin)) throw new TypeError(`cors.origins: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], no path)`);
  }
  const allowed = new Set(options.origins);
  const credentials = options.credentials ?? true;
  return (req, res) => {
    res.setHeader('vary', 'Origin');
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (origin === undefined || !allowed.has(origin)) {
      if (preflight) sendJson(res, 403, { error: 'forbidden', reason: `origin ${origin ?? '(none)'} is not in the gateway's cors.origins` });
      return preflight;
    }
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', 'X-Fieldsync-Gateway');
    if (credentials) res.setHeader('access-control-allow-credentials', 'true');
    if (!preflight) return false;
    const asked = req.headers['access-control-request-headers'];
    res.writeHead(204, {
      'access-control-allow-methods': METHODS,
      'access-control-allow-headers': asked && HEADER_LIST.test(asked) ? asked : 'accept, authorization, content-type',
      'access-control-max-age': '600',
      'content-length': '0',
    });
    res.end();
    return true;
  };
}
