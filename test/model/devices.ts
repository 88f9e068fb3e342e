/**
 * The real side of the model-based test: the world's gateway and a device per user, each a PouchDB the
 * app writes to directly and a sync client that sees it through the fault hooks.
 */
import { createSyncClient } from '../../lib/sync/client/index.js';
import type { Denied, SyncClient } from '../../lib/sync/client/index.js';
import { PouchDB } from '../support/pouch.js';
import { closeOnce, hookedFetch, hookedLocal } from './faults.js';
import type { HookedFetch, HookedLocal } from './faults.js';
import type { ModelUser, ModelWorld } from './world.js';

/** One phone: the app's database, the client's hooked view of it, and what the client reported. */
export interface Device {
  readonly index: number;
  readonly user: ModelUser;
  /** PouchDB name: a reopen opens the same data again. */
  readonly dbName: string;
  app: PouchDB.Database<Record<string, unknown>>;
  hooked: HookedLocal;
  client: SyncClient;
  readonly net: HookedFetch;
  /** Payloads of quarantine events (any event named in the options), as JSON. */
  readonly quarantined: string[];
  readonly denied: Denied[];
}

/** Everything a command acts on. */
export interface Real {
  readonly world: ModelWorld;
  readonly devices: Device[];
  /** Unhandled rejections seen while this run was current. */
  readonly unhandled: unknown[];
  readonly quarantineEvents: readonly string[];
}

let opened = 0;

function connect(device: Omit<Device, 'client' | 'hooked'> & { hooked?: HookedLocal; client?: SyncClient }, world: ModelWorld, events: readonly string[]): Device {
  const hooked = hookedLocal(device.app);
  const client = createSyncClient({
    local: hooked.local, url: world.url, auth: { username: device.user.name, password: device.user.password }, fetch: device.net.fetch,
  });
  client.on('denied', (d) => device.denied.push(d));
  for (const name of events) client.on(name, (payload) => device.quarantined.push(JSON.stringify(payload)));
  return Object.assign(device, { hooked, client });
}

/** A new device for `user` with an empty database. */
export function openDevice(world: ModelWorld, user: ModelUser, index: number, events: readonly string[]): Device {
  opened += 1;
  const dbName = `model-${process.pid}-${opened}-${user.key}`;
  const app = new PouchDB<Record<string, unknown>>(dbName, { adapter: 'memory' });
  return connect({ index, user, dbName, app, net: hookedFetch(), quarantined: [], denied: [] }, world, events);
}

/** The app closed its database: once the close has finished, open it again and start a new sync client on it. */
export async function reopenDevice(device: Device, world: ModelWorld, events: readonly string[]): Promise<void> {
  await closeOnce(device.app);
  device.app = new PouchDB<Record<string, unknown>>(device.dbName, { adapter: 'memory' });
  connect(device, world, events);
}

/** Destroys the devices' databases. */
export async function closeDevices(devices: readonly Device[]): Promise<void> {
  for (const device of devices) {
    await device.client.stop().catch(() => undefined);
    await device.app.destroy().catch(() => undefined);
  }
}
