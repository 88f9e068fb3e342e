/** `fieldsync serve`: the embedded CouchDB-compatible server, persistent by default. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { AdminCredentials, EmbeddedServer, EmbeddedStorage } from '../embedded-server/index.js';
import { APP_PATH, GATEWAY_PATH, startServerWithGateway } from './gateway.js';
import { isOrigin } from '../sync/gateway/cors.js';
import { CliError } from './output.js';

/** Options of the serve command as commander parses them. */
export interface ServeOptions {
  readonly port: string;
  readonly host: string;
  readonly data: string;
  readonly memory?: boolean;
  /** A directory of static files (a web app) to serve at /app. */
  readonly static?: string;
  /** Origins of pages allowed to sync through the gateway (CORS). */
  readonly cors?: readonly string[];
}


/**
 * Admin credentials: from FIELDSYNC_ADMIN_USER / FIELDSYNC_ADMIN_PASSWORD when set, else the ones
 * generated on the first start of this data dir (kept in `admin.json`, readable by the owner only).
 */
export function resolveAdmin(dataDir: string | undefined, env: NodeJS.ProcessEnv): { admin: AdminCredentials; generated: boolean } {
  const username = env['FIELDSYNC_ADMIN_USER'];
  const password = env['FIELDSYNC_ADMIN_PASSWORD'];
  if (username && password) return { admin: { username, password }, generated: false };
  const file = dataDir ? path.join(dataDir, 'admin.json') : undefined;
  if (file && existsSync(file)) return { admin: JSON.parse(readFileSync(file, 'utf8')) as AdminCredentials, generated: false };
  const admin = { username: username ?? 'admin', password: randomBytes(12).toString('base64url') };
  if (file) writeFileSync(file, JSON.stringify(admin), { mode: 0o600 });
  return { admin, generated: true };
}

function checkWritable(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch {
    throw new CliError(`data directory ${dir} is not writable`);
  }
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.stack ?? err.message : String(err);
}

/**
 * Keeps the server process up whatever escapes a request: a rejection nobody handled or an uncaught
 * exception is logged on stderr and the process goes on serving. Only the CLI installs this; the
 * library leaves a host application's process handlers alone.
 */
function neverExitOnError(): void {
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`fieldsync serve: unhandled rejection (still serving): ${describeError(reason)}\n`);
  });
  process.on('uncaughtException', (err) => {
    process.stderr.write(`fieldsync serve: uncaught exception (still serving): ${describeError(err)}\n`);
  });
}

/** Starts the server and keeps it running until SIGINT/SIGTERM. */
export async function serve(options: ServeOptions, log: (line: string) => void): Promise<EmbeddedServer> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`invalid port: ${options.port}`);
  const bad = (options.cors ?? []).find((origin) => !isOrigin(origin));
  if (bad !== undefined) throw new CliError(`--cors: ${JSON.stringify(bad)} is not an origin (scheme://host[:port], e.g. http://localhost:5173)`);
  const dataDir = options.memory ? undefined : path.resolve(options.data);
  if (dataDir) checkWritable(dataDir);
  const storage: EmbeddedStorage = dataDir ? { kind: 'leveldb', dir: path.join(dataDir, 'dbs') } : { kind: 'memory' };
  const { admin, generated } = resolveAdmin(dataDir, process.env);
  neverExitOnError();
  let server: EmbeddedServer;
  try {
    const started = await startServerWithGateway({ port, host: options.host, admin, storage, ...(options.static ? { staticDir: path.resolve(options.static) } : {}) }, 'medic', {}, undefined, options.cors ? { origins: options.cors } : undefined);
    await started.prepare();
    server = started.server;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${port} is already in use`);
    throw err;
  }
  // One write for both lines, so a reader that waits for the URL also has the credentials.
  const lines = [
    `fieldsync server listening on ${server.url} (${dataDir ? `data in ${dataDir}` : 'in memory'})`,
    `sync gateway for devices: ${server.url}${GATEWAY_PATH}/medic`,
    ...(options.static ? [`web app: ${server.url}${APP_PATH}/`] : []),
    ...(options.cors ? [`pages allowed to sync from other origins (CORS): ${options.cors.join(', ')}`] : []),
  ];
  if (generated) lines.push(`admin account: ${admin.username} / ${admin.password}${dataDir ? ` (saved in ${path.join(dataDir, 'admin.json')})` : ''}`);
  log(lines.join('\n'));
  const stop = (): void => {
    log('stopping...');
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}
