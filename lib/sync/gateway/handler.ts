/**
 * The sync gateway: an HTTP handler an app mounts in front of CouchDB. Each request is authenticated
 * against CouchDB's `_session`, the user's access context is computed by the database's rules, and
 * only what the rules allow is read or written. It keeps no session state (a short context cache is
 * an optimisation only), so several can run behind a load balancer.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyDoc, SyncUser } from '../rules.js';
import { ENDPOINTS } from '../protocol.js';
import type { ChangesResponse, GoneResponse, IdRev, IdsResponse } from '../protocol.js';
import { gatewayCouch } from './couch.js';
import { bulkDocs } from './bulk-docs.js';
import { failureOf, GatewayError, prop, readJson, sendJson } from './http.js';
import type { GatewayDatabase, RequestScope } from './scope.js';

export { gatewayDatabase } from './scope.js';
export type { GatewayDatabase } from './scope.js';

/** One line of the gateway's log, for successful and aborted requests alike. */
export interface GatewayLogEntry {
  readonly user: string | undefined;
  readonly db: string | undefined;
  readonly endpoint: string;
  readonly status: number;
  readonly durationMs: number;
  /** Documents listed, sent or accepted, when the endpoint deals in documents. */
  readonly docs?: number;
  /** True when the client went away before the answer was complete. */
  readonly aborted: boolean;
}

/** Options of {@link createSyncGateway}. */
export interface SyncGatewayOptions {
  /** CouchDB base URL, without credentials. */
  readonly couchUrl: string;
  /** Credentials the gateway uses for CouchDB (a server admin, or an admin of each database). */
  readonly admin: { readonly username: string; readonly password: string };
  /** The databases served, by name. */
  readonly databases: Readonly<Record<string, GatewayDatabase>>;
  /** A pull list above this many docs (tasks excluded) carries a warning. Default 10,000. */
  readonly warnDocs?: number;
  /** A pull list above this many docs is refused with `too_many_docs`, before any doc is sent. */
  readonly maxDocs?: number;
  /** How long a user's context is reused by `_bulk_get` (never by ids, gone or writes). Default 5 s. */
  readonly contextTtlMs?: number;
  /**
   * How long the pull list given to a user lets `_bulk_get` of exactly those revisions be streamed
   * from CouchDB without parsing (default 2 min). Other requests are parsed and filtered.
   */
  readonly listTtlMs?: number;
  /**
   * How long a checked `Authorization`/`Cookie` header is trusted without asking CouchDB's `_session`
   * again. Default 5 s; 0 asks every time. A changed password takes at most this long to bite.
   */
  readonly sessionTtlMs?: number;
  /** Largest request body accepted. Default 32 MiB. */
  readonly maxBodyBytes?: number;
  /** Longest `changes` wait. Default 25 s. */
  readonly maxWaitMs?: number;
  readonly log?: (entry: GatewayLogEntry) => void;
  /** The clock, for the log's durations and the cache. Default `Date.now`. */
  readonly now?: () => number;
}

/** The gateway: a connect-style handler, plus setup. */
export interface SyncGateway {
  (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void;
  /** Installs each database's rules design doc (idempotent). Call once at start-up. */
  install(): Promise<void>;
}

/** A deletion that carries nothing but its id and revisions. */
function isBareTombstone(doc: AnyDoc): boolean {
  return doc._deleted === true && Object.keys(doc).every((key) => ['_id', '_rev', '_deleted', '_revisions'].includes(key));
}

type Ctx = RequestScope;

/** Creates a sync gateway for the given CouchDB and databases. */
export function createSyncGateway(options: SyncGatewayOptions): SyncGateway {
  const now = options.now ?? Date.now;
  const designIds = new Map(Object.entries(options.databases).map(([db, served]) => [db, served.rules.designDocId]));
  const couch = gatewayCouch(options.couchUrl, options.admin, designIds);
  const cache = new Map<string, { context: unknown; readable: ReadonlySet<string>; expires: number }>();
  // The last pull list given to each user: `_bulk_get` for exactly those revisions skips the filter.
  const listed = new Map<string, { revs: ReadonlyMap<string, string>; expires: number }>();
  const listedTtl = options.listTtlMs ?? 2 * 60_000;
  const sessions = new Map<string, { user: SyncUser; expires: number }>();

  async function authenticate(req: IncomingMessage): Promise<SyncUser | undefined> {
    const headers = { ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), ...(req.headers.cookie ? { cookie: req.headers.cookie } : {}) };
    const key = createHash('sha256').update(`${headers.authorization ?? ''}\u0000${headers.cookie ?? ''}`).digest('base64');
    const known = sessions.get(key);
    if (known && known.expires > now()) return known.user;
    const user = await couch.session(headers);
    if (sessions.size > 10_000) sessions.clear();
    if (user) sessions.set(key, { user, expires: now() + (options.sessionTtlMs ?? 5_000) });
    else sessions.delete(key);
    return user;
  }
  const limits = { warn: options.warnDocs ?? 10_000, max: options.maxDocs, body: options.maxBodyBytes ?? 32 * 1024 * 1024, wait: options.maxWaitMs ?? 25_000 };

  const userKey = (ctx: Ctx): string => `${ctx.db}\u0000${ctx.user.name}\u0000${ctx.user.roles.join(',')}`;

  async function contextOf(ctx: Ctx, fresh: boolean): Promise<{ context: unknown; readable: ReadonlySet<string> }> {
    const key = userKey(ctx);
    const cached = cache.get(key);
    if (!fresh && cached && cached.expires > now()) return cached;
    const context = await ctx.served.rules.context(ctx.user, couch.query(ctx.db));
    const entry = { context, readable: new Set(ctx.served.rules.readableKeys(context)), expires: now() + (options.contextTtlMs ?? 5_000) };
    cache.set(key, entry);
    return entry;
  }

  function visible(ctx: Ctx, readable: ReadonlySet<string>, doc: AnyDoc): boolean {
    if (ctx.served.clientDesignDocs.includes(doc._id)) return true;
    return ctx.served.rules.replicationKeys(doc).some((key) => readable.has(key));
  }

  const bulkDocsDeps = { couch, bodyLimit: limits.body, freshContext: async (ctx: Ctx) => (await contextOf(ctx, true)).context };

  const handlers: Record<string, (ctx: Ctx, req: IncomingMessage, res: ServerResponse, rest: string, qs: URLSearchParams) => Promise<void>> = {
    async [`GET ${ENDPOINTS.ids}`](ctx, _req, res) {
      const { readable } = await contextOf(ctx, true);
      const info = (await couch.request(ctx.db, 'GET', '')) as { update_seq: unknown };
      const rows = await couch.query(ctx.db).viewByKeys('replication_keys', [...readable]);
      const seen = new Map<string, IdRev>();
      let tasks = 0;
      for (const row of rows) {
        if (seen.has(row.id) || typeof row.value !== 'string') continue;
        seen.set(row.id, { id: row.id, rev: row.value });
        if (row.id.startsWith('task~')) tasks += 1;
      }
      for (const row of await couch.allDocs(ctx.db, ctx.served.clientDesignDocs, false)) {
        if (row.rev && !row.deleted) seen.set(row.id, { id: row.id, rev: row.rev });
      }
      const count = seen.size - tasks;
      ctx.log.docs = seen.size;
      listed.set(userKey(ctx), { revs: new Map([...seen.values()].map((r) => [r.id, r.rev])), expires: now() + listedTtl });
      if (limits.max !== undefined && count > limits.max) {
        throw new GatewayError(403, 'too_many_docs', `${ctx.user.name} may see ${count} documents, more than the limit of ${limits.max}`, { count, limit: limits.max });
      }
      const body: IdsResponse = {
        rows: [...seen.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
        count,
        last_seq: String(info.update_seq),
        ...(count > limits.warn ? { warning: `${ctx.user.name} may see ${count} documents, more than ${limits.warn}: sync and the device will be slow` } : {}),
      };
      sendJson(res, 200, body);
    },

    async [`POST ${ENDPOINTS.gone}`](ctx, req, res) {
      const ids = prop(await readJson(req, limits.body), 'ids');
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string') || ids.length > 1000) {
        throw new GatewayError(400, 'bad_request', 'expected {"ids": [...]} with at most 1000 ids');
      }
      const { readable } = await contextOf(ctx, true);
      const rows: Array<GoneResponse['rows'][number]> = [];
      const unknown: string[] = [];
      for (const row of await couch.allDocs(ctx.db, ids, true)) {
        // Never reached the server: the client keeps it and pushes it.
        if (!row.rev) { unknown.push(row.id); continue; }
        if (row.deleted) rows.push({ id: row.id, reason: 'deleted' });
        else if (row.doc && !visible(ctx, readable, row.doc)) rows.push({ id: row.id, reason: 'not-visible' });
      }
      ctx.log.docs = rows.length;
      sendJson(res, 200, { rows, unknown } satisfies GoneResponse);
    },

    async [`GET ${ENDPOINTS.changes}`](ctx, _req, res, _rest, qs) {
      const since = qs.get('since') ?? 'now';
      const timeout = Math.min(limits.wait, Math.max(0, Number(qs.get('timeout') ?? limits.wait) || 0));
      const answer = (await couch.request(ctx.db, 'GET', '_changes', { feed: 'longpoll', since, timeout, limit: 1, seq_interval: 1 })) as {
        results: unknown[]; last_seq: unknown;
      };
      sendJson(res, 200, { last_seq: String(answer.last_seq), changed: answer.results.length > 0 } satisfies ChangesResponse);
    },

    async ['POST _bulk_get'](ctx, req, res, _rest, qs) {
      const body = await readJson(req, limits.body);
      const wanted = prop(body, 'docs');
      const list = listed.get(userKey(ctx));
      if (list && list.expires > now() && Array.isArray(wanted) && wanted.length > 0
        && wanted.every((w) => typeof prop(w, 'rev') === 'string' && list.revs.get(String(prop(w, 'id'))) === prop(w, 'rev'))) {
        // Exactly revisions this user was just listed: pass CouchDB's answer through unread.
        const answer = await couch.raw(ctx.db, `_bulk_get?${new URLSearchParams(qs).toString()}`, body);
        if (!answer.ok || !answer.body) throw new GatewayError(answer.status, 'couchdb_error', `CouchDB answered ${answer.status} to _bulk_get`);
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        ctx.log.docs = wanted.length;
        for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
        res.end();
        return;
      }
      const { readable } = await contextOf(ctx, false);
      const answer = (await couch.request(ctx.db, 'POST', '_bulk_get', Object.fromEntries(qs), body)) as {
        results: Array<{ id: string; docs: Array<{ ok?: AnyDoc; error?: unknown }> }>;
      };
      let sent = 0;
      const results = answer.results.map((result) => ({
        id: result.id,
        docs: result.docs.map((entry) => {
          if (!entry.ok) return entry;
          if (visible(ctx, readable, entry.ok) || isBareTombstone(entry.ok)) { sent += 1; return entry; }
          return { error: { id: result.id, rev: entry.ok._rev, error: 'forbidden', reason: 'not visible to you' } };
        }),
      }));
      ctx.log.docs = sent;
      sendJson(res, 200, { results });
    },

    ['POST _bulk_docs']: (ctx, req, res) => bulkDocs(ctx, req, res, bulkDocsDeps),

    async ['POST _revs_diff'](ctx, req, res) {
      const body = await readJson(req, limits.body);
      const answer = (await couch.request(ctx.db, 'POST', '_revs_diff', undefined, body)) as Record<string, { missing: string[] }>;
      // possible_ancestors would reveal revisions of documents the user may not see.
      sendJson(res, 200, Object.fromEntries(Object.entries(answer).map(([id, diff]) => [id, { missing: diff.missing }])));
    },

    async ['GET '](ctx, _req, res) {
      const info = (await couch.request(ctx.db, 'GET', '')) as { update_seq: unknown; instance_start_time?: unknown };
      sendJson(res, 200, { db_name: ctx.db, update_seq: info.update_seq, instance_start_time: info.instance_start_time ?? '0' });
    },
  };

  async function local(ctx: Ctx, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    // Checkpoints are kept per user, so one user can never read or reset another's.
    const stored = `fieldsync~${ctx.user.name}~${id}`;
    const path = `_local/${encodeURIComponent(stored)}`;
    const method = req.method as 'GET' | 'PUT' | 'DELETE';
    const sent = method === 'PUT' ? await readJson(req, limits.body) : undefined;
    const body = typeof sent === 'object' && sent !== null ? { ...sent, _id: `_local/${stored}` } : sent;
    const qs = method === 'DELETE' ? { rev: new URL(req.url ?? '/', 'http://x').searchParams.get('rev') ?? '' } : undefined;
    const answer = await couch.request(ctx.db, method, path, qs, body);
    sendJson(res, method === 'GET' ? 200 : 201, method === 'GET' ? { ...(answer as object), _id: `_local/${id}` } : { ...(answer as object), id: `_local/${id}` });
  }

  async function route(req: IncomingMessage, res: ServerResponse, entry: { user?: string; db?: string; endpoint: string; docs?: number }): Promise<number> {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const [, dbPart = '', ...restParts] = url.pathname.split('/');
    const db = decodeURIComponent(dbPart);
    const rest = restParts.map(decodeURIComponent).join('/');
    entry.db = db;
    entry.endpoint = `${req.method ?? 'GET'} ${rest}`;
    const served = options.databases[db];
    if (!served) throw new GatewayError(404, 'not_found', `no database ${db} is served here`);
    const user = await authenticate(req);
    if (!user) throw new GatewayError(401, 'unauthorized', 'name or password is incorrect, or the session expired');
    entry.user = user.name;
    const ctx: Ctx = { user, db, served, log: entry };
    if (rest.startsWith('_local/') && ['GET', 'PUT', 'DELETE'].includes(req.method ?? '')) {
      await local(ctx, req, res, rest.slice('_local/'.length));
      return res.statusCode;
    }
    const handler = handlers[`${req.method ?? 'GET'} ${rest}`];
    if (!handler) throw new GatewayError(404, 'not_found', `${req.method ?? 'GET'} ${rest || '/'} is not served by the sync gateway`);
    await handler(ctx, req, res, rest, url.searchParams);
    return res.statusCode;
  }

  const gateway = ((req: IncomingMessage, res: ServerResponse) => {
    const started = now();
    const entry: { user?: string; db?: string; endpoint: string; docs?: number } = { endpoint: `${req.method ?? 'GET'} ${req.url ?? ''}` };
    let logged = false;
    const log = (status: number, aborted: boolean): void => {
      if (logged) return;
      logged = true;
      options.log?.({ user: entry.user, db: entry.db, endpoint: entry.endpoint, status, durationMs: now() - started, aborted, ...(entry.docs !== undefined ? { docs: entry.docs } : {}) });
    };
    res.once('close', () => log(res.statusCode, !res.writableFinished));
    route(req, res, entry).catch((err: unknown) => {
      const failure = failureOf(err);
      if (!res.headersSent) sendJson(res, failure.status, failure.body);
      else res.destroy();
    });
  }) as SyncGateway;

  gateway.install = async () => {
    for (const [db, served] of Object.entries(options.databases)) await couch.ensureDesignDoc(db, served.rules.designDoc());
  };
  return gateway;
}
