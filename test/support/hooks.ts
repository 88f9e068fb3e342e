import { killRunningClis } from '../cli/run.js';
import { stopGatewayProcesses } from './gateways.js';
import { stopTestCouch } from './server.js';

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
