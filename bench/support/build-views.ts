/**
 * Builds every view of a design doc on the server before a bench times anything: one `limit=0` query per
 * view over plain `node:http`, which has no answer timeout (fetch gives up after 300 s without headers,
 * and building a view over 100,000 documents on the embedded server can take longer on a busy machine).
 */
import { request } from 'node:http';

function get(url: URL, auth: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: auth } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => {
        if ((res.statusCode ?? 500) >= 400) reject(new Error(`${res.statusCode} for ${url.pathname}: ${body}`));
        else resolve(body);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Queries each view of `designId` in `db` once, so later queries find them built. */
export async function buildViews(serverUrl: string, admin: { username: string; password: string }, db: string, designId: string): Promise<void> {
  const auth = `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}`;
  const base = `${serverUrl}/${encodeURIComponent(db)}/${designId}`;
  const design = JSON.parse(await get(new URL(base), auth)) as { views?: Record<string, unknown> };
  for (const view of Object.keys(design.views ?? {})) await get(new URL(`${base}/_view/${view}?limit=0`), auth);
}
