/**
 * One model-based run: a fresh world and three devices (two CHWs in different areas, their
 * supervisor), a sequence of commands, then quiescence: the gateway up, no faults, every device synced
 * until a whole round pushes nothing, each sync of the last round `up-to-date` and in agreement.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { commandArbitraries, settle } from './commands.js';
import type { ModelOptions } from './commands.js';
import { closeDevices, openDevice } from './devices.js';
import type { Real } from './devices.js';
import { checkAgreement, checkNoUnhandled, checkWritesKept, InvariantError } from './invariants.js';
import type { Model } from './model.js';
import { openWorld, USER_KEYS } from './world.js';

/** How many runs, from where, and how long each. */
export interface RunParameters {
  readonly numRuns: number;
  readonly seed: number;
  /** Replays one failing case (printed by fast-check on failure). */
  readonly path?: string;
  /** With `path`: the commands' `replayPath` printed beside the counterexample. */
  readonly replayPath?: string;
  readonly maxCommands: number;
}

let current: Real | undefined;
const onUnhandled = (reason: unknown): void => { current?.unhandled.push(reason); };

async function quiesce(model: Model, real: Real, options: ModelOptions): Promise<void> {
  await real.world.revive();
  model.gatewayDown = false;
  for (let round = 0; ; round += 1) {
    assert.ok(round < 4, 'quiet syncs went on pushing for 4 rounds');
    let pushed = 0;
    let settled = true;
    for (const device of real.devices) {
      const result = await settle(device.client.sync()).catch((err: unknown) => {
        if (err instanceof InvariantError) throw err;
        throw new InvariantError(`a quiet sync of device ${device.index} (${device.user.key}) failed: ${String(err)}`);
      });
      pushed += result.push.written;
      if (result.state === 'up-to-date') await checkAgreement(model, real, device);
      else settled = false;
      if (result.state !== 'up-to-date' && round > 0) throw new InvariantError(`a quiet sync of device ${device.index} (${device.user.key}) ended ${result.state}`);
    }
    checkNoUnhandled(real);
    await checkWritesKept(model, real, options.quarantine, options.tolerated);
    if (pushed === 0 && settled) return;
  }
}

/** Runs the property; throws fast-check's report (with seed and path) on failure. */
export async function runModel(options: ModelOptions, parameters: RunParameters): Promise<void> {
  process.on('unhandledRejection', onUnhandled);
  try {
    const commands = fc.commands(commandArbitraries(options, USER_KEYS.length), {
      maxCommands: parameters.maxCommands, size: 'max', ...(parameters.replayPath ? { replayPath: parameters.replayPath } : {}),
    });
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        const world = await openWorld();
        const events = options.quarantineEvents ?? ['quarantined'];
        const devices = USER_KEYS.map((key, i) => openDevice(world, world.users[key], i, events));
        const real: Real = { world, devices, unhandled: [], quarantineEvents: events };
        const model: Model = {
          assignments: { chwA: [...world.users.chwA.facilities], chwB: [...world.users.chwB.facilities], sup: [...world.users.sup.facilities] },
          writes: [], next: 0, gatewayDown: false,
        };
        current = real;
        const started = Date.now();
        if (process.env['MODEL_TRACE']) console.log(`run: ${[...cmds].map(String).join(', ')}`);
        try {
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          await quiesce(model, real, options);
        } finally {
          current = undefined;
          const ran = Date.now() - started;
          await closeDevices(devices);
          await world.stop();
          if (process.env['MODEL_TRACE']) console.log(`run: ${ran} ms, teardown ${Date.now() - started - ran} ms: ${[...cmds].map(String).join(', ')}`);
        }
      }),
      { numRuns: parameters.numRuns, seed: parameters.seed, ...(parameters.path ? { path: parameters.path } : {}), endOnFailure: false, verbose: 1 },
    );
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
}
