/**
 * The embedded server with the sync gateway mounted at `/fieldsync`, serving the `medic` database
 * with the CHT rules. The gateway talks to the server it is mounted in, so it is created once the
 * server listens; until then its path answers like any unknown path.
 */
import { startEmbeddedServer } from '../embedded-server/index.js';
import type { EmbeddedServer, EmbeddedServerOptions, HttpHandler } from '../embedded-server/index.js';
import express from 'express';
import { chtAccessRules } from '../cht/rules.js';
import type { ChtRulesOptions } from '../cht/rules.js';
import { createSyncGateway, gatewayDatabase } from '../sync/gateway/index.js';
import type { CorsOptions, GatewayLogEntry, SyncGateway } from '../sync/gateway/index.js';

/** Where the gateway is mounted on the embedded server. */
export const GATEWAY_PATH = '/fieldsync';

/** Where `--static` files are served. */
export const APP_PATH = '/app';

/** A running server with its gateway. */
export interface ServerWithGateway {
  readonly server: EmbeddedServer;
  readonly gateway: SyncGateway;
  /** Gateway URL of a database, e.g. `http://127.0.0.1:5984/fieldsync/medic`. */
  gatewayUrl(db: string): string;
  /** Creates the database if needed and installs the rules' design doc. */
  prepare(): Promise<void>;
}

/** Starts the embedded server with the gateway for `db` (default `medic`). */
export async function startServerWithGateway(
  options: Omit<EmbeddedServerOptions, 'mount'> & { readonly staticDir?: string },
  db = 'medic', rules: ChtRulesOptions = {}, log?: (entry: GatewayLogEntry) => void, cors?: CorsOptions,
): Promise<ServerWithGateway> {
  const mounted: { gateway?: SyncGateway } = {};
  const { staticDir, ...serverOptions } = options;
  const server = await startEmbeddedServer({
    ...serverOptions,
    mount: (app) => {
      app.use(GATEWAY_PATH, (req, res, next) => (mounted.gateway ? mounted.gateway(req, res, next) : next()));
      // A web app served next to its gateway: same origin, so the browser sends its credentials.
      if (staticDir) app.use(APP_PATH, express.static(staticDir) as unknown as HttpHandler);
    },
  });
  const created = createSyncGateway({
    couchUrl: server.url, admin: options.admin, databases: { [db]: gatewayDatabase(chtAccessRules(rules)) }, ...(log ? { log } : {}), ...(cors ? { cors } : {}),
  });
  mounted.gateway = created;
  const auth = `Basic ${btoa(`${options.admin.username}:${options.admin.password}`)}`;
  return {
    // Closing the server stops the gateway's change indexes too.
    server: { ...server, close: () => { created.close(); return server.close(); } },
    gateway: created,
    gatewayUrl: (name) => `${server.url}${GATEWAY_PATH}/${encodeURIComponent(name)}`,
    async prepare() {
      const res = await fetch(`${server.url}/${encodeURIComponent(db)}`, { method: 'PUT', headers: { authorization: auth } });
      if (!res.ok && res.status !== 412) throw new Error(`could not create ${db}: ${res.status}`);
      await created.install();
    },
  };
}
