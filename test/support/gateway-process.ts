/**
 * One sync gateway in its own Node process, forked by test/support/gateways.ts: it mounts
 * `createSyncGateway` over the CouchDB named in `FIELDSYNC_GATEWAY` (JSON: couchUrl, admin, dbs) with
 * the CHT rules and the default options, listens on a free loopback port and sends it to its parent.
 * It exits when its parent goes away, so a crashed test run leaves no gateway behind.
 */
import { createServer } from 'node:http';
import { chtAccessRules } from '../../lib/cht/rules.js';
import { createSyncGateway, gatewayDatabase } from '../../lib/sync/gateway/index.js';

interface GatewayConfig {
  readonly couchUrl: string;
  readonly admin: { readonly username: string; readonly password: string };
  readonly dbs: readonly string[];
}

const config = JSON.parse(process.env['FIELDSYNC_GATEWAY'] ?? '{}') as GatewayConfig;
const gateway = createSyncGateway({
  couchUrl: config.couchUrl,
  admin: config.admin,
  databases: Object.fromEntries(config.dbs.map((db) => [db, gatewayDatabase(chtAccessRules())])),
});
process.once('disconnect', () => { gateway.close(); process.exit(0); });
await gateway.install();
const server = createServer((req, res) => gateway(req, res));
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as { port: number }).port });
});
