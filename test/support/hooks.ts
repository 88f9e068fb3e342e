import { stopTestCouch } from './server.js';

/** Root hooks for the whole mocha run. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopTestCouch();
  },
};
