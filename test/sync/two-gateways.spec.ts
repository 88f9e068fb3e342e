import assert from 'node:assert/strict';
import Nano from 'nano';
import { chtAccessRules } from '../../lib/cht/rules.js';
import { createSyncClient } from '../../lib/sync/client/index.js';
import type { Denied, SyncClient } from '../../lib/sync/client/index.js';
import type { SeedDoc, SeedUser } from '../../lib/seed/dataset.js';
import { createSyncGateway, gatewayDatabase } from '../../lib/sync/gateway/index.js';
import { lineageIds } from '../../lib/validate/consistency.js';
import { roundRobinProxy, startGatewayProcess, stopGatewayProcesses } from '../support/gateways.js';
import type { GatewayProcess, RoundRobinProxy } from '../support/gateways.js';
import { memoryPouch, PouchDB } from '../support/pouch.js';
import { testCouch } from '../support/server.js';
import { expectedIds, localIds } from './expected.js';
import { moveUser, report } from './safety.js';
import { syncWorld } from './world.js';
import type { SyncWorld } from './world.js';

type Db = PouchDB.Database<Record<string, unknown>>;

/** Resolves once `db` holds `id`; the feed is opened before the first look, so no write slips between. */
async function until(db: Db, id: string): Promise<void> {
  const feed = db.changes({ since: 'now', live: true });
  try {
    const arrived = new Promise<void>((resolve) => { void feed.on('change', (change) => { if (change.id === id) resolve(); }); });
    if ((await db.allDocs({ keys: [id] })).rows.some((row) => 'value' in row && !row.value.deleted)) return;
    await arrived;
  } finally {
    feed.cancel();
  }
}

async function serverSnapshot(world: SyncWorld): Promise<string[]> {
  const { rows } = await world.admin.list();
  return rows.map((row) => `${row.id}@${row.value.rev}`);
}

describe('gateways sharing one database: start-up', function () {
  this.timeout(60_000);

  it('starts several gateways at once on a database without the rules design doc, writing it once', async () => {
    const couch = await testCouch();
    const nano = Nano(couch.adminUrl);
    const db = couch.uniqueDbName('install');
    await nano.db.create(db);
    try {
      const gateway = () => createSyncGateway({ couchUrl: couch.url, admin: couch.admin, databases: { [db]: gatewayDatabase(chtAccessRules()) } });
      await Promise.all([gateway().install(), gateway().install(), gateway().install()]);
      const id = chtAccessRules().designDocId;
      const { _rev: written } = await nano.use(db).get(id);
      assert.match(written, /^1-/, 'the design doc was written once');
      await gateway().install();
      assert.equal((await nano.use(db).get(id))._rev, written, 'a restart with the same rules writes nothing');
    } finally {
      await nano.db.destroy(db).catch(() => undefined);
    }
  });
});

describe('two gateway processes over one database, behind a round-robin proxy', function () {
  this.timeout(120_000);
  let world: SyncWorld;
  let gateways: GatewayProcess[];
  let proxy: RoundRobinProxy;
  /** Documents the tests wrote on the server, beyond the data set. */
  const added: SeedDoc[] = [];

  before(async () => {
    world = await syncWorld();
    gateways = await Promise.all([startGatewayProcess(world.couch, [world.db]), startGatewayProcess(world.couch, [world.db])]);
    proxy = await roundRobinProxy(gateways.map((g) => g.origin));
  });
  after(async () => {
    await proxy?.close();
    await stopGatewayProcesses((gateways ?? []).map((g) => g.child));
    await world?.stop();
  });

  const url = (): string => `${proxy.origin}/${encodeURIComponent(world.db)}`;
  const device = (user: SeedUser, options: { batchSize?: number } = {}): { local: Db; client: SyncClient } => {
    const local = memoryPouch<Record<string, unknown>>();
    return { local, client: createSyncClient({ local, url: url(), auth: { username: user.name, password: user.password }, ...options }) };
  };
  const expected = (user: SeedUser, facilityId = user.facilityId): string[] =>
    [...expectedIds([...world.data.medic, ...added], user, facilityId)].sort();
  const held = async (local: Db): Promise<string[]> => [...await localIds(local)].sort();
  /** The backends that answered requests from the `from`-th on. */
  const backendsSince = (from: number): Set<number> => new Set(proxy.log.slice(from).map((entry) => entry.backend));

  it('gives several users exactly the docs they may see, each sync served by both gateways in turn', async () => {
    for (const name of ['chw11', 'chw12', 'supervisor1']) {
      const user = world.user(name);
      const from = proxy.log.length;
      const { local, client } = device(user);
      const result = await client.sync();
      assert.equal(result.state, 'up-to-date');
      assert.deepEqual(await held(local), expected(user), `${name} holds exactly the docs they may see`);
      assert.deepEqual(backendsSince(from), new Set([0, 1]), `${name}'s requests reached both gateways`);
    }
  });

  it('refuses forged pushes on either gateway and leaves the server unchanged', async () => {
    const me = world.user('chw11');
    const other = world.user('chw12');
    const { local, client } = device(me);
    await client.sync();
    const before = await serverSnapshot(world);
    const theirClinic = world.data.medic.find((d) => d.type === 'clinic' && lineageIds(d['parent']).includes(other.facilityId));
    const theirPerson = world.data.medic.find((d) => d.type === 'person' && lineageIds(d['parent']).includes(other.facilityId));
    assert.ok(theirClinic && theirPerson);
    const forged: Array<Record<string, unknown> & { _id: string }> = [
      { _id: 'two-gw-forged-person', type: 'person', name: 'Intruder', reported_date: 1, parent: { _id: theirClinic._id, parent: theirClinic['parent'] } },
      { ...report(me, 'two-gw-forged-report'), fields: { patient_uuid: theirPerson._id } },
      { _id: `org.couchdb.user:${other.name}`, type: 'user-settings', name: other.name, facility_id: me.facilityId, roles: ['chw'] },
      { _id: 'form:two-gw-forged', type: 'form', internalId: 'forged' },
    ];
    for (const doc of forged) await local.put(doc);
    const mySettings = await local.get(`org.couchdb.user:${me.name}`);
    await local.put({ ...mySettings, roles: ['supervisor'] });
    const denied: Denied[] = [];
    client.on('denied', (d) => denied.push(d));
    const first = await client.sync();
    assert.equal(first.push.written, 0, JSON.stringify(denied));
    assert.deepEqual([...new Set(denied.map((d) => d.id))].sort(), [...forged.map((d) => d._id), mySettings._id].sort());
    // The same documents sent to each gateway process straight: each refuses every one.
    for (const gateway of gateways) {
      const answer = await fetch(`${gateway.origin}/${encodeURIComponent(world.db)}/_bulk_docs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${me.name}:${me.password}`)}` },
        body: JSON.stringify({ docs: forged }),
      });
      const results = (await answer.json()) as Array<{ id: string; error?: string }>;
      assert.deepEqual(results.map((r) => [r.id, r.error]), forged.map((d) => [d._id, 'forbidden']), `refused by ${gateway.origin}`);
    }
    assert.deepEqual(await serverSnapshot(world), before, 'the server is unchanged');
  });

  it('removes what a moved user no longer sees and brings it back on a re-grant, whichever gateway answers', async () => {
    const me = world.user('chw11');
    const elsewhere = world.user('chw12').facilityId;
    const { local, client } = device(me);
    await client.sync();
    assert.deepEqual(await held(local), expected(me));
    await moveUser(world, me.name, elsewhere);
    try {
      const moved = await client.sync();
      assert.equal(moved.state, 'up-to-date');
      assert.deepEqual(await held(local), expected(me, elsewhere), 'after the move the device holds the new area only');
    } finally {
      await moveUser(world, me.name, me.facilityId);
    }
    const back = await client.sync();
    assert.equal(back.state, 'up-to-date');
    assert.deepEqual(await held(local), expected(me), 're-granted docs are back');
    assert.equal(back.push.written, 0, 're-granted docs are not pushed back');
  });

  it('pulls what a user just gained when the list comes from one gateway and the documents from the other', async () => {
    const me = world.user('chw11');
    const elsewhere = world.user('chw12').facilityId;
    const [lister, getter] = gateways.map((g) => g.origin);
    // Documents from the second gateway, everything else from the first: the second judges with
    // the context it computed for the first sync, the first lists with the new one.
    const routed: typeof fetch = (input, init) => {
      const target = String(input instanceof Request ? input.url : input);
      return fetch(target.includes('/_bulk_get') ? target.replace(lister!, getter!) : target, init);
    };
    const local = memoryPouch<Record<string, unknown>>();
    const client = createSyncClient({ local, url: `${lister}/${encodeURIComponent(world.db)}`, auth: { username: me.name, password: me.password }, fetch: routed });
    await client.sync();
    await moveUser(world, me.name, elsewhere);
    try {
      const moved = await client.sync();
      assert.deepEqual(await held(local), expected(me, elsewhere), 'the gained docs are on the device');
      assert.equal(moved.state, 'up-to-date');
    } finally {
      await moveUser(world, me.name, me.facilityId);
    }
  });

  it('brings a write to the live devices it concerns, with every wait and request on either gateway', async () => {
    const me = world.user('chw12');
    const phone = device(me);
    const tablet = device(me);
    const supervisor = device(world.user('supervisor1'));
    for (const d of [phone, tablet, supervisor]) await d.client.sync();
    for (const d of [phone, tablet, supervisor]) d.client.start();
    try {
      const fromPhone = report(me, `two-gw-live-${Date.now()}`);
      const fromServer = report(me, `${fromPhone._id}-server`);
      await phone.local.put(fromPhone);
      await world.admin.insert(fromServer);
      added.push(fromPhone, fromServer);
      await Promise.all([phone, tablet, supervisor].flatMap((d) => [until(d.local, fromPhone._id), until(d.local, fromServer._id)]));
    } finally {
      await Promise.all([phone, tablet, supervisor].map((d) => d.client.stop()));
    }
    for (const d of [phone, tablet]) assert.deepEqual(await held(d.local), expected(me));
    assert.deepEqual(await held(supervisor.local), expected(world.user('supervisor1')));
  });

  it('answers a feed cursor one gateway gave on the other, with exactly the changes after it', async () => {
    const me = world.user('chw11');
    const other = world.user('chw12');
    const headers = { authorization: `Basic ${btoa(`${me.name}:${me.password}`)}`, accept: 'application/json' };
    const feed = (origin: string, query: string): Promise<Response> => fetch(`${origin}/${encodeURIComponent(world.db)}/_changes?${query}`, { headers });
    const [first, second] = gateways.map((g) => g.origin);
    const start = (await (await feed(first!, 'since=now')).json()) as { last_seq: string };
    const mine = report(me, `two-gw-cursor-${Date.now()}`);
    const theirs = report(other, `${mine._id}-theirs`);
    await world.admin.insert(mine);
    await world.admin.insert(theirs);
    added.push(mine, theirs);
    const answer = await feed(second!, `since=${encodeURIComponent(start.last_seq)}`);
    assert.equal(answer.status, 200);
    const body = (await answer.json()) as { results: Array<{ id: string }>; last_seq: string };
    assert.deepEqual(body.results.map((r) => r.id), [mine._id], 'the other gateway answers the cursor with my change only');
    const next = (await (await feed(first!, `since=${encodeURIComponent(body.last_seq)}`)).json()) as { results: unknown[] };
    assert.deepEqual(next.results, [], 'and its cursor back on the first gateway has nothing more');
  });

  // Pending until the gateway serves GET <doc>/<attachment>: stock PouchDB fetches each attachment
  // stub that way and aborts on the 404 (the forms carry attachments).
  it('lets a stock PouchDB replicate exactly the user\'s docs through both gateways', async () => {
    const me = world.user('chw12');
    const local = memoryPouch<Record<string, unknown>>();
    const remote = new PouchDB(url(), { auth: { username: me.name, password: me.password } });
    const from = proxy.log.length;
    await local.replicate.from(remote, { batch_size: 20 });
    assert.deepEqual(await held(local), expected(me));
    assert.deepEqual(backendsSince(from), new Set([0, 1]));
  });

  it('finishes a sync exactly through the other gateway when one is killed mid-pull, and takes a restarted one back', async () => {
    const user = world.user('supervisor1');
    const { local, client } = device(user, { batchSize: 10 });
    let killing: Promise<void> | undefined;
    let killedAt = 0;
    client.on('progress', ({ done, total }) => {
      if (killing || done === 0 || done >= total) return;
      killedAt = proxy.log.length;
      killing = gateways[0]!.kill();
    });
    let failures = 0;
    for (;;) {
      try {
        const result = await client.sync();
        assert.equal(result.state, 'up-to-date');
        break;
      } catch (err) {
        // A request the killed gateway had taken fails the sync (offline); the next one goes round it.
        failures += 1;
        assert.ok(failures < 3, `the sync finishes through the other gateway (${String(err)})`);
      }
    }
    assert.ok(killing, 'the gateway was killed during the pull');
    await killing;
    assert.equal(gateways[0]!.child.signalCode, 'SIGKILL');
    assert.deepEqual(await held(local), expected(user));
    assert.equal(Number((await local.info()).update_seq), expected(user).length, 'no document was written twice');
    assert.ok(proxy.log.slice(killedAt).some((entry) => entry.backend === 1 && entry.status === 200), 'the other gateway served the rest');

    const restarted = await startGatewayProcess(world.couch, [world.db]);
    gateways[0] = restarted;
    proxy.replace(0, restarted.origin);
    const from = proxy.log.length;
    const fresh = device(user);
    await fresh.client.sync();
    assert.deepEqual(await held(fresh.local), expected(user));
    assert.deepEqual(backendsSince(from), new Set([0, 1]), 'the restarted gateway serves again');
  });
});
