import { createHook } from 'node:async_hooks';
import net from 'node:net';
import { killRunningClis } from '../cli/run.js';
import { stopGatewayProcesses } from './gateways.js';
import { stopTestCouch } from './server.js';

/** Servers listening now, with where each was started, so a leak names the test that made it. */
const listening = new Map<net.Server, string>();
// eslint-disable-next-line @typescript-eslint/unbound-method -- wrapped below, always called on a server
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
  const where = (new Error().stack ?? '').split('\n').slice(2).filter((line) => /\/(test|lib|bench)\//.test(line))
    .slice(0, 4).join('\n');
  listening.set(this, where);
  this.once('close', () => listening.delete(this));
  return listen.apply(this, args as Parameters<typeof listen>);
} as typeof listen;

/**
 * With FIELDSYNC_TRACE_TIMERS=1, where each live timer was set (costly: a stack per timer), so a leaked
 * timer names its origin too.
 */
const timers = new Map<number, { readonly timer: NodeJS.Timeout; readonly where: string }>();
if (process.env['FIELDSYNC_TRACE_TIMERS'] === '1') {
  Error.stackTraceLimit = 40;
  createHook({
    init(id, type, _trigger, resource) {
      if (type !== 'Timeout') return;
      const where = (new Error().stack ?? '').split('\n').slice(2)
        .filter((line) => /\/(test|lib|node_modules)\//.test(line) && !line.includes('/node_modules/mocha/'))
        .slice(0, 8).join('\n');
      timers.set(id, { timer: resource as NodeJS.Timeout, where });
    },
    destroy(id) { timers.delete(id); },
  }).enable();
}

/** How long the run may stay alive after its last hook before it counts as hung. */
const EXIT_GRACE_MS = 30_000;

/**
 * Fails a run that does not exit once every test is done: something a test started (a server, a socket,
 * a child process, a timer) is still keeping Node alive. The timer is unref'd, so it fires only then;
 * it names what is left instead of letting CI wait for its time limit.
 */
function failIfStillAlive(): void {
  // Stryker's workers run the suite many times in one long-lived process.
  if (process.env['STRYKER_MUTATOR_WORKER'] !== undefined) return;
  setTimeout(() => {
    const left = process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap');
    process.stderr.write(`\nthe test run did not exit ${EXIT_GRACE_MS / 1000} s after its last test; still open: ${left.join(', ')}\n`);
    for (const [server, where] of listening) {
      process.stderr.write(`a server still listening on ${JSON.stringify(server.address())}, started at:\n${where}\n`);
    }
    for (const { timer, where } of timers.values()) {
      if (timer.hasRef()) process.stderr.write(`a timer still pending, set at:\n${where}\n`);
    }
    // mocha sets the exit code to its failure count on 'exit'; this listener, added later, runs after it.
    process.on('exit', () => { process.exitCode = 1; });
    process.exit(1);
  }, EXIT_GRACE_MS).unref();
}

/** Root hooks for the whole mocha run. */
export const mochaHooks = {
  afterEach(): void {
    killRunningClis();
  },
  async afterAll(): Promise<void> {
    await stopGatewayProcesses();
    // A Stryker worker runs the covering tests of each mutant as one mocha run: the embedded server
    // lives in the worker's process and serves them all, instead of starting again for every mutant.
    if (process.env['STRYKER_MUTATOR_WORKER'] === undefined) await stopTestCouch();
    failIfStillAlive();
  },
};
