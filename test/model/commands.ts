/**
 * The commands of the model-based test and which classes of them a run draws from. Every command
 * ends with the invariants that hold at any moment (no write lost, no unhandled rejection); a sync
 * that says `up-to-date` is checked for agreement with the server there and then.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SyncError } from '../../lib/sync/client/index.js';
import type { SyncResult } from '../../lib/sync/client/index.js';
import { reopenDevice } from './devices.js';
import type { Device, Real } from './devices.js';
import { closeOnce, connectionRefused } from './faults.js';
import type { LocalFault, NetFault } from './faults.js';
import { checkAgreement, checkNoUnhandled, checkWritesKept, InvariantError } from './invariants.js';
import type { Tolerated } from './invariants.js';
import type { Model } from './model.js';
import { LOCAL_WRITES, localWrite, SERVER_WRITES, serverWrite } from './writes.js';
import type { LocalWriteKind, ServerWriteKind } from './writes.js';
import { AREAS, DISTRICT } from './world.js';
import type { UserKey } from './world.js';

/** Which classes of commands a run draws from; each can be switched on as the defects it finds are fixed. */
export interface ModelOptions {
  /** App writes made during a sync, at a chosen request of it (issue 15, defect 1). */
  readonly writesDuringSync: boolean;
  /** The admin grants, revokes and reassigns the users' areas. */
  readonly accessChanges: boolean;
  /**
   * An access change while the user's device has unsynced edits (defect 3); otherwise the device syncs
   * right before and right after each change, and the one after can carry a fault.
   */
  readonly pendingAtRevoke: boolean;
  /** Reports about patients the user may not see, refused by the gateway (defect 5). */
  readonly forbiddenWrites: boolean;
  /** The app writes again an id that was removed from the device (defect 4). */
  readonly recreate: boolean;
  /**
   * The app deletes a person its reports are about. The pull list is taken before the push, so the
   * sync that pushes the deletion keeps the person's reports and says up to date (not in issue 15).
   */
  readonly deleteContacts: boolean;
  /** The admin edits, deletes, creates and moves documents on the server. */
  readonly serverWrites: boolean;
  /** Connection refused or answer lost at a chosen request; gateway killed and revived. */
  readonly network: boolean;
  /** A local write of the sync client throws QuotaExceededError once (defect 2). */
  readonly quota: boolean;
  /** A local bulkDocs refuses one document (defect 7). */
  readonly docErrors: boolean;
  /** The app closes its database in the middle of a sync and reopens it (defect 10). */
  readonly closeReopen: boolean;
  /** Client events whose payloads count as a quarantine of refused work (default `quarantined`). */
  readonly quarantineEvents?: readonly string[];
  /** Known defects the invariants let pass, to look for others behind them. */
  readonly tolerated?: Tolerated;
  /** Reads a device's quarantine store, once a fix adds one. */
  readonly quarantine?: (device: Device) => Promise<readonly unknown[]>;
}

/** Every class on: what a long run hunts with. */
export const ALL_CLASSES: ModelOptions = {
  writesDuringSync: true, accessChanges: true, pendingAtRevoke: true, forbiddenWrites: true, recreate: true, deleteContacts: true, serverWrites: true,
  network: true, quota: true, docErrors: true, closeReopen: true,
};

type Cmd = fc.AsyncCommand<Model, Real, false>;

/** How long a sync may take before the test calls it hung (a bound, never a race: syncs here take ms). */
const HUNG_MS = 20_000;

/** The sync's result, or an {@link InvariantError} when it does not settle within the bound. */
export async function settle(sync: Promise<SyncResult>): Promise<SyncResult> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new InvariantError(`a sync did not settle within ${HUNG_MS} ms`)), HUNG_MS);
  });
  try {
    return await Promise.race([sync, hung]);
  } finally {
    clearTimeout(timer);
  }
}

async function after(model: Model, real: Real, options: ModelOptions): Promise<void> {
  checkNoUnhandled(real);
  await checkWritesKept(model, real, options.quarantine, options.tolerated);
}

class LocalWriteCommand implements Cmd {
  constructor(readonly device: number, readonly kind: LocalWriteKind, readonly pick: number, readonly options: ModelOptions) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    const device = real.devices[this.device];
    assert.ok(device);
    await localWrite(model, device, this.kind, this.pick, this.options.deleteContacts);
    await after(model, real, this.options);
  }
  toString = (): string => `write(d${this.device}, ${this.kind}, ${this.pick})`;
}

/** What a sync command plans for one request or one local write of the client. */
export type SyncPlan =
  | { readonly at: 'net'; readonly call: number; readonly fault: NetFault }
  | { readonly at: 'net'; readonly call: number; readonly write: LocalWriteKind; readonly pick: number; readonly when: 'before' | 'after' }
  | { readonly at: 'local'; readonly call: number; readonly fault: LocalFault };

function planText(plan: SyncPlan | undefined): string {
  if (!plan) return '';
  if (plan.at === 'local') return `, ${plan.fault} at local write ${plan.call}`;
  if ('fault' in plan) return `, ${plan.fault} at request ${plan.call}`;
  return `, write ${plan.write}/${plan.pick} ${plan.when} request ${plan.call}`;
}

/**
 * Runs one sync of a device with its plan, and checks what a sync must do whatever happens: a typed
 * failure (offline when the gateway was down), no hang, agreement when it says up to date. Returns
 * the failure, if any.
 */
async function syncDevice(model: Model, real: Real, device: Device, plan: SyncPlan | undefined, options: ModelOptions): Promise<SyncError | undefined> {
  const wasDown = model.gatewayDown;
  device.net.reset();
  device.hooked.reset();
  if (plan?.at === 'local') device.hooked.fault = { call: plan.call, kind: plan.fault };
  if (plan?.at === 'net') {
    device.net.plan = {
      call: plan.call,
      when: 'fault' in plan ? (plan.fault === 'lose' ? 'after' : 'before') : plan.when,
      act: async () => {
        if (!('fault' in plan)) return localWrite(model, device, plan.write, plan.pick, options.deleteContacts);
        if (plan.fault === 'kill') { model.gatewayDown = true; return real.world.kill(); }
        if (plan.fault === 'close-db') return closeOnce(device.app);
        connectionRefused();
      },
    };
  }
  let result: SyncResult | undefined;
  let failure: unknown;
  try {
    result = await settle(device.client.sync());
  } catch (err) {
    failure = err;
  } finally {
    device.net.plan = undefined;
    device.hooked.fault = undefined;
  }
  if (failure instanceof InvariantError) throw failure;
  if (failure !== undefined && !(failure instanceof SyncError)) throw new InvariantError(`sync failed with an untyped error: ${failure instanceof Error ? failure.stack ?? failure.message : JSON.stringify(failure)}`);
  if (wasDown) assert.ok(failure instanceof SyncError && failure.kind === 'offline', `a sync with the gateway down fails as offline, got ${failure instanceof Error ? failure.message : String(result?.state)}`);
  const closed = plan !== undefined && 'fault' in plan && (plan.fault === 'close' ? device.hooked.fired : plan.fault === 'close-db' && device.net.fired);
  const local = plan?.at === 'local' && device.hooked.fired;
  if ((local || closed) && failure instanceof SyncError && !wasDown && plan && 'fault' in plan) {
    // A device-side failure is never blamed on the network (issue 15, defect 11).
    const right = closed ? failure.kind !== 'offline' : failure.kind === 'quota-exceeded';
    assert.ok(right, `a local ${plan.fault} is reported as ${failure.kind}: ${failure.message}`);
  }
  if (closed) await reopenDevice(device, real.world, real.quarantineEvents);
  if (result?.state === 'up-to-date') await checkAgreement(model, real, device);
  return failure;
}

class SyncCommand implements Cmd {
  constructor(readonly device: number, readonly plan: SyncPlan | undefined, readonly options: ModelOptions) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    const device = real.devices[this.device];
    assert.ok(device);
    await syncDevice(model, real, device, this.plan, this.options);
    await after(model, real, this.options);
  }
  toString = (): string => `sync(d${this.device}${planText(this.plan)})`;
}

/**
 * The admin changes a user's facilities. Unless `pendingAtRevoke`, the user's device syncs just before
 * (nothing of theirs is pending at the change) and just after (with `plan`, where a fault can hit the
 * removal); each of those syncs must succeed unless the plan broke it.
 */
class AssignCommand implements Cmd {
  constructor(readonly user: UserKey, readonly facilities: readonly string[], readonly plan: SyncPlan | undefined, readonly options: ModelOptions) {}
  check = (model: Readonly<Model>): boolean => this.options.pendingAtRevoke || !model.gatewayDown;
  async run(model: Model, real: Real): Promise<void> {
    const device = real.devices.find((d) => d.user.key === this.user);
    const around = !this.options.pendingAtRevoke && device !== undefined;
    const quiet = async (plan: SyncPlan | undefined, when: string): Promise<void> => {
      if (!device) return;
      const failure = await syncDevice(model, real, device, plan, this.options);
      const planned = plan !== undefined && 'fault' in plan && (device.net.fired || device.hooked.fired);
      if (failure && !planned) throw new InvariantError(`the sync of ${this.user} ${when} the change of facilities failed: ${failure.message}`);
    };
    if (around) await quiet(undefined, 'before');
    const id = `org.couchdb.user:${real.world.users[this.user].name}`;
    const settings = await real.world.admin.get(id);
    await real.world.admin.insert({ ...settings, facility_id: [...this.facilities] });
    model.assignments[this.user] = [...this.facilities];
    if (around) await quiet(this.plan, 'after');
    await after(model, real, this.options);
  }
  toString = (): string => `assign(${this.user}, [${this.facilities.join(',')}]${this.options.pendingAtRevoke ? '' : `, synced${planText(this.plan)}`})`;
}

class ServerWriteCommand implements Cmd {
  constructor(readonly kind: ServerWriteKind, readonly pick: number, readonly options: ModelOptions) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    await serverWrite(model, real.world, this.kind, this.pick);
    await after(model, real, this.options);
  }
  toString = (): string => `server(${this.kind}, ${this.pick})`;
}

class GatewayCommand implements Cmd {
  constructor(readonly up: boolean, readonly options: ModelOptions) {}
  check = (model: Readonly<Model>): boolean => model.gatewayDown === this.up;
  async run(model: Model, real: Real): Promise<void> {
    if (this.up) await real.world.revive();
    else await real.world.kill();
    model.gatewayDown = !this.up;
    await after(model, real, this.options);
  }
  toString = (): string => (this.up ? 'revive()' : 'kill()');
}

const pick = fc.nat({ max: 11 });
const call = fc.nat({ max: 14 });

/** The command arbitraries for these options, over `devices` devices. */
export function commandArbitraries(options: ModelOptions, devices: number): Array<fc.Arbitrary<Cmd>> {
  const device = fc.nat({ max: devices - 1 });
  const kinds = LOCAL_WRITES.filter((k) => (k !== 'report-elsewhere' || options.forbiddenWrites) && (k !== 'recreate' || options.recreate));
  const kind = fc.constantFrom(...kinds);
  // The rarer writes also come as commands of their own, so a run meets them as often as a sync.
  const special = kinds.filter((k) => k === 'report-elsewhere' || k === 'recreate');
  const plans: Array<fc.Arbitrary<SyncPlan | undefined>> = [fc.constant(undefined)];
  if (options.writesDuringSync) {
    plans.push(fc.record({ at: fc.constant('net' as const), call, write: kind, pick, when: fc.constantFrom('before' as const, 'after' as const) }));
  }
  if (options.network) plans.push(fc.record({ at: fc.constant('net' as const), call, fault: fc.constantFrom<NetFault>('refuse', 'lose', 'kill') }));
  if (options.closeReopen) plans.push(fc.record({ at: fc.constant('net' as const), call, fault: fc.constant<NetFault>('close-db') }));
  const localFaults: LocalFault[] = [...(options.quota ? ['quota' as const] : []), ...(options.docErrors ? ['doc-error' as const] : []), ...(options.closeReopen ? ['close' as const] : [])];
  if (localFaults.length > 0) plans.push(fc.record({ at: fc.constant('local' as const), call: fc.nat({ max: 8 }), fault: fc.constantFrom(...localFaults) }));

  const syncPlan = fc.oneof(...plans);
  const arbitraries: Array<fc.Arbitrary<Cmd>> = [
    fc.tuple(device, kind, pick).map(([d, k, p]) => new LocalWriteCommand(d, k, p, options)),
    fc.tuple(device, syncPlan).map(([d, plan]) => new SyncCommand(d, plan, options)),
    ...special.map((k) => fc.tuple(device, pick).map(([d, p]) => new LocalWriteCommand(d, k, p, options))),
  ];
  if (options.accessChanges) {
    const areas = fc.subarray([...AREAS]);
    const after = options.pendingAtRevoke ? fc.constant(undefined) : syncPlan;
    arbitraries.push(fc.oneof(
      fc.tuple(fc.constantFrom<UserKey>('chwA', 'chwB'), areas, after).map(([u, f, p]) => new AssignCommand(u, f, p, options)),
      fc.tuple(fc.constantFrom<readonly string[]>([DISTRICT], [], ['hcA']), after).map(([f, p]) => new AssignCommand('sup', f, p, options)),
    ));
  }
  if (options.serverWrites) arbitraries.push(fc.tuple(fc.constantFrom(...SERVER_WRITES), pick).map(([k, p]) => new ServerWriteCommand(k, p, options)));
  if (options.network) arbitraries.push(fc.boolean().map((up) => new GatewayCommand(up, options)));
  return arbitraries;
}
