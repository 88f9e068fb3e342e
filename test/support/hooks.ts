import { killRunningClis } from '../cli/run.js';
import { stopGatewayProcesses } from './gateways.js';
import { stopTestCouch } from './server.js';

/** Root hooks for the whole mocha run. */
export const mochaHooks = {
  afterEach(): void {
    killRunningClis();
  },
  async afterAll(): Promise<void> {
    await stopGatewayProcesses();
    await stopTestCouch();
  },
};
