/**
 * What the gateway asks of CouchDB, through nano with the gateway's own (admin) credentials, plus the
 * one request made with the user's credentials: `_session`, which tells who is asking.
 */
import Nano from 'nano';
import type { AnyDoc, RulesQuery, SyncUser } from '../rules.js';

/** Keys per view request: long key lists are paged so no request grows with the catchment. */
export const KEYS_PER_REQUEST = 500;

/** A row of `_all_docs?keys=...&include_docs=true`. */
export interface AllDocsRow {
  readonly id: string;
  /** Undefined when CouchDB never had the id. */
  readonly rev?: string;
  readonly deleted: boolean;
  readonly doc?: AnyDoc;
}

/** The CouchDB side of the gateway for one server. */
export interface GatewayCouch {
  /** Who the request's `Authorization` or `Cookie` header authenticates, if anyone. */
  session(headers: { authorization?: string; cookie?: string }): Promise<SyncUser | undefined>;
  query(db: string): RulesQuery;
  allDocs(db: string, ids: readonly string[], includeDocs: boolean): Promise<AllDocsRow[]>;
  /** Any request on a database path, answered as parsed JSON. */
  request(db: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, qs?: Record<string, unknown>, body?: unknown): Promise<unknown>;
  /**
   * A request whose answer is passed on unread: the gateway streams it to the client without
   * parsing (nano always parses, so this one uses fetch). A POST of `body` as JSON; a GET without one.
   */
  raw(db: string, path: string, body?: unknown): Promise<Response>;
  /** A GET on a database path that `signal` can abort (the change index's long waits), answered as parsed JSON. */
  abortable(db: string, path: string, qs: Record<string, string>, signal: AbortSignal): Promise<unknown>;
  /** Installs or updates a design doc when its content differs. */
  ensureDesignDoc(db: string, doc: AnyDoc): Promise<void>;
}

interface ViewRow { id: string; key: unknown; value: unknown }

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** JSON with every object's keys sorted: servers return a stored doc's fields in their own order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

function sameDesign(a: AnyDoc, b: AnyDoc): boolean {
  const strip = ({ _rev: _ignored, ...rest }: AnyDoc): unknown => rest;
  return canonical(strip(a)) === canonical(strip(b));
}

function isConflict(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { statusCode?: unknown }).statusCode === 409;
}

/**
 * Connects to CouchDB at `url` as `admin`. `designDocs` names, per database, the design doc whose
 * views `RulesQuery.viewByKeys` queries.
 */
export function gatewayCouch(url: string, admin: { username: string; password: string }, designDocs: ReadonlyMap<string, string>): GatewayCouch {
  const base = url.replace(/\/+$/, '');
  const withAuth = new URL(base);
  withAuth.username = admin.username;
  withAuth.password = admin.password;
  const nano = Nano({ url: withAuth.toString().replace(/\/+$/, '') });

  const request: GatewayCouch['request'] = async (db, method, path, qs, body) =>
    (await nano.relax({ db, method, path, ...(qs ? { qs } : {}), ...(body !== undefined ? { body } : {}) })) as unknown;

  const allDocs: GatewayCouch['allDocs'] = async (db, ids, includeDocs) => {
    const rows: AllDocsRow[] = [];
    for (const part of chunk(ids, 1000)) {
      const answer = (await request(db, 'POST', '_all_docs', includeDocs ? { include_docs: true } : undefined, { keys: part })) as {
        rows: Array<{ key: string; id?: string; error?: string; value?: { rev: string; deleted?: boolean }; doc?: AnyDoc | null }>;
      };
      for (const row of answer.rows) {
        if (row.error || !row.value) { rows.push({ id: row.key, deleted: false }); continue; }
        rows.push({ id: row.key, rev: row.value.rev, deleted: row.value.deleted === true, ...(row.doc ? { doc: row.doc } : {}) });
      }
    }
    return rows;
  };

  const adminAuthorization = `Basic ${btoa(`${admin.username}:${admin.password}`)}`;
  return {
    raw: (db, path, body) => fetch(`${base}/${encodeURIComponent(db)}/${path}`, body === undefined
      ? { headers: { authorization: adminAuthorization } }
      : {
        method: 'POST',
        headers: { authorization: adminAuthorization, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      }),
    async abortable(db, path, qs, signal) {
      const response = await fetch(`${base}/${encodeURIComponent(db)}/${path}?${new URLSearchParams(qs).toString()}`, {
        headers: { authorization: adminAuthorization, accept: 'application/json' }, signal,
      });
      const body = (await response.json()) as { error?: string; reason?: string };
      if (!response.ok) throw Object.assign(new Error(body.reason ?? `CouchDB answered ${response.status}`), { statusCode: response.status, ...body });
      return body;
    },
    async session(headers) {
      const forwarded: Record<string, string> = { accept: 'application/json' };
      if (headers.authorization) forwarded['authorization'] = headers.authorization;
      if (headers.cookie) forwarded['cookie'] = headers.cookie;
      const response = await fetch(`${base}/_session`, { headers: forwarded });
      if (!response.ok) return undefined;
      const body = (await response.json()) as { userCtx?: { name?: string | null; roles?: string[] } };
      const name = body.userCtx?.name;
      return name ? { name, roles: body.userCtx?.roles ?? [] } : undefined;
    },
    query(db) {
      const design = (designDocs.get(db) ?? '').replace(/^_design\//, '');
      return {
        async viewByKeys(view, keys) {
          const rows: ViewRow[] = [];
          for (const part of chunk(keys, KEYS_PER_REQUEST)) {
            const answer = (await request(db, 'POST', `_design/${design}/_view/${view}`, undefined, { keys: part })) as { rows: ViewRow[] };
            rows.push(...answer.rows);
          }
          return rows;
        },
        async hasRows(view) {
          const answer = (await request(db, 'GET', `_design/${design}/_view/${view}`, { limit: 1 })) as { rows: ViewRow[] };
          return answer.rows.length > 0;
        },
        async getMany(ids) {
          const found = new Map<string, AnyDoc>();
          for (const row of await allDocs(db, ids, true)) if (row.doc && !row.deleted) found.set(row.id, row.doc);
          return found;
        },
      };
    },
    allDocs,
    request,
    async ensureDesignDoc(db, doc) {
      // Gateways starting together race to write it: a conflict means another wrote it first, so
      // look again (a few times, each write moving the doc on) instead of failing the start-up.
      for (let attempt = 1; ; attempt += 1) {
        const [current] = await allDocs(db, [doc._id], true);
        if (current?.doc && !current.deleted && sameDesign(current.doc, doc)) return;
        try {
          await request(db, 'PUT', doc._id, undefined, { ...doc, ...(current?.rev ? { _rev: current.rev } : {}) });
          return;
        } catch (err) {
          if (!isConflict(err) || attempt >= 5) throw err;
        }
      }
    },
  };
}
