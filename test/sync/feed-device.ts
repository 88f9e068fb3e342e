/** Helpers of the feed tests: a device whose requests are counted, and what the gateway log says of a sync. */
import { createSyncClient } from '../../lib/sync/client/index.js';
import type { SyncClient, SyncClientOptions } from '../../lib/sync/client/index.js';
import type { SeedUser } from '../../lib/seed/dataset.js';
import { memoryPouch } from '../support/pouch.js';
import { urlOf } from './faults.js';
import type { SyncWorld } from './world.js';

type Db = PouchDB.Database<Record<string, unknown>>;

/** One request a device made: method, path after the database, bytes of the answer, and its body. */
export interface Sent {
  readonly method: string;
  readonly path: string;
  readonly bytes: number;
  readonly body: string;
}

/** A device whose every request to the gateway is recorded in `sent`; `rewrite` sends them elsewhere. */
export interface CountedDevice {
  readonly local: Db;
  readonly client: SyncClient;
  readonly sent: Sent[];
  rewrite?: (url: string) => string;
}

/** A device of `user` on the world's gateway. */
export function countedDevice(world: SyncWorld, user: SeedUser, extra: Partial<SyncClientOptions> = {}, local: Db = memoryPouch()): CountedDevice {
  const sent: Sent[] = [];
  const hooks: { rewrite?: (url: string) => string } = {};
  const counting: typeof fetch = async (input, init) => {
    const url = urlOf(input);
    const response = await fetch(hooks.rewrite ? hooks.rewrite(url) : url, init);
    const body = await response.clone().text().catch(() => '');
    const path = decodeURIComponent(new URL(url).pathname.split('/').slice(2).join('/')) + new URL(url).search;
    sent.push({ method: init?.method ?? 'GET', path, bytes: Buffer.byteLength(body), body: typeof init?.body === 'string' ? init.body : '' });
    return response;
  };
  const client = createSyncClient({ local, url: world.url, auth: { username: user.name, password: user.password }, fetch: counting, ...extra });
  return {
    local, client, sent,
    get rewrite() { return hooks.rewrite; },
    set rewrite(f) { hooks.rewrite = f; },
  };
}

/** The ids asked for in the `_bulk_get` requests of `sent`. */
export function bulkGetIds(sent: readonly Sent[]): string[] {
  return sent.filter((s) => s.path.startsWith('_bulk_get'))
    .flatMap((s) => (JSON.parse(s.body) as { docs: Array<{ id: string }> }).docs.map((d) => d.id));
}

/** True when `sent` holds a request of the whole pull list. */
export function listed(sent: readonly Sent[]): boolean {
  return sent.some((s) => s.path.startsWith('_fieldsync/ids'));
}
