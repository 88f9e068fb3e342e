/**
 * Gateways in their own Node processes over the test server, and a round-robin HTTP proxy in front of
 * them: the setup of several gateways behind a load balancer, where consecutive requests of one device
 * land on different processes. Every process a test starts is killed by {@link stopGatewayProcesses},
 * by the root hook after the run, and by itself when the test process goes away.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { TestCouch } from './server.js';

/** A gateway process. */
export interface GatewayProcess {
  /** e.g. http://127.0.0.1:1234 (the databases are under it). */
  readonly origin: string;
  readonly child: ChildProcess;
  /** Kills the process at once (SIGKILL, as a crash) and resolves when it is gone. */
  kill(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '..', '..');
const script = path.join(root, 'test', 'support', 'gateway-process.ts');
const running = new Set<ChildProcess>();

function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return gone;
}

/** Starts a gateway process serving `dbs` of the test server with the CHT rules and default options. */
export function startGatewayProcess(couch: TestCouch, dbs: readonly string[]): Promise<GatewayProcess> {
  const child = fork(script, [], {
    cwd: root,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FIELDSYNC_GATEWAY: JSON.stringify({ couchUrl: couch.url, admin: couch.admin, dbs }) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port?: number }) => {
      resolve({ origin: `http://127.0.0.1:${message.port}`, child, kill: () => killed(child) });
    });
    child.once('exit', (code, signal) => reject(new Error(`the gateway process exited (${code ?? signal}) before listening:\n${output}`)));
  });
}

/** Kills the given gateway processes, or every one still running, and waits until they are gone. */
export async function stopGatewayProcesses(children: Iterable<ChildProcess> = running): Promise<void> {
  await Promise.all([...children].map(killed));
}

/** One request the proxy passed on: to which backend (index), and what became of it. */
export interface ProxiedRequest {
  /** The backend that took it (the next one when the first refused the connection). */
  backend: number;
  readonly method: string;
  readonly path: string;
  /** The backend's status; 502 when it failed before answering; 0 while waiting for one. */
  status: number;
}

/** The proxy. */
export interface RoundRobinProxy {
  /** e.g. http://127.0.0.1:1234 */
  readonly origin: string;
  /** Every request passed on, in the order they were given to a backend. */
  readonly log: readonly ProxiedRequest[];
  /** Puts another backend in place `index` (a restarted gateway). */
  replace(index: number, origin: string): void;
  close(): Promise<void>;
}

/** No pooled connections: a request to a killed backend is refused at once, never sent on a dead socket. */
const agent = new Agent({ keepAlive: false });

/**
 * A proxy that sends each request to the next backend in turn, whatever connection it came on. A
 * backend that refuses the connection (it is down) is skipped, as a load balancer does; one that fails
 * after taking the request fails that request (502, or a cut answer), as a crash does.
 */
export async function roundRobinProxy(origins: readonly string[]): Promise<RoundRobinProxy> {
  const backends = [...origins];
  const log: ProxiedRequest[] = [];
  let next = 0;

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer, entry: ProxiedRequest, tries: number): void {
    const backend = entry.backend;
    const target = new URL(req.url ?? '/', backends[backend]);
    const upstream = request(target, { method: req.method ?? 'GET', headers: { ...req.headers, host: target.host }, agent }, (answer) => {
      entry.status = answer.statusCode ?? 502;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.once('error', () => res.destroy());
      answer.once('aborted', () => res.destroy());
    });
    upstream.once('error', (err: NodeJS.ErrnoException) => {
      if (res.headersSent) { res.destroy(); return; }
      if (err.code === 'ECONNREFUSED' && tries + 1 < backends.length) {
        entry.backend = (backend + 1) % backends.length;
        forward(req, res, body, entry, tries + 1);
        return;
      }
      entry.status = 502;
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'bad_gateway', reason: `the gateway failed: ${err.code ?? err.message}` }));
    });
    // A client that goes away (a live wait it gave up) ends the backend request too.
    res.once('close', () => { if (!res.writableFinished) upstream.destroy(); });
    upstream.end(body);
  }

  const server = createServer((req, res) => {
    const chunks: Uint8Array[] = [];
    req.on('data', (chunk: Uint8Array) => chunks.push(chunk));
    req.once('end', () => {
      const entry: ProxiedRequest = { backend: next % backends.length, method: req.method ?? 'GET', path: req.url ?? '/', status: 0 };
      next += 1;
      log.push(entry);
      forward(req, res, Buffer.concat(chunks), entry, 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    log,
    replace(index, origin) { backends[index] = origin; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
