import assert from 'node:assert/strict';
import type { Denied } from '../../lib/sync/client/index.js';
import { device, lostByMove, moveUser, onServer, report, secondGateway } from './safety.js';
import { syncWorld } from './world.js';

describe('refused work stays pending, visibly, and goes up once the server accepts it', function () {
  this.timeout(60_000);

  it('pushes a report refused while its area was revoked once the area is granted again', async () => {
    const world = await syncWorld();
    try {
      const me = world.user('chw11');
      const phone = device(world, me);
      await phone.client.sync();
      const elsewhere = world.user('chw12').facilityId;
      const [patient] = lostByMove(world, me, elsewhere);
      assert.ok(patient);
      // The area is revoked on the server while the CHW, offline, records a visit there.
      await moveUser(world, me.name, elsewhere);
      await phone.local.put({ ...report(me, 'visit-while-revoked', { patient_uuid: patient }), contact: { _id: me.contactId } });
      const denied: Denied[] = [];
      phone.client.on('denied', (d) => denied.push(d));
      const revoked = await phone.client.sync();
      assert.deepEqual(denied.map((d) => d.id), ['visit-while-revoked']);
      assert.equal(await onServer(world, 'visit-while-revoked'), undefined);
      assert.deepEqual((await phone.client.denied()).map((d) => d.id), ['visit-while-revoked'], 'pending, visibly');
      assert.equal(revoked.held.denied, 1);
      await phone.client.sync();
      assert.equal(denied.length, 1, 'offered again at each sync, reported once per reason');
      await moveUser(world, me.name, me.facilityId);
      const back = await phone.client.sync();
      assert.ok(await onServer(world, 'visit-while-revoked'), 'pushed after the re-grant');
      assert.deepEqual(await phone.client.denied(), []);
      assert.equal(back.held.denied, 0);
    } finally {
      await world.stop();
    }
  });

  it('pushes a document refused as too large once the server accepts larger bodies', async () => {
    const world = await syncWorld({ maxBodyBytes: 40_000 });
    const roomy = await secondGateway(world, { maxBodyBytes: 1_000_000 });
    try {
      const me = world.user('chw11');
      const phone = device(world, me);
      await phone.client.sync();
      await phone.local.put(report(me, 'big-visit', { note: 'x'.repeat(60_000) }));
      await phone.local.put(report(me, 'small-visit'));
      const first = await phone.client.sync();
      assert.deepEqual((await phone.client.denied()).map((d) => [d.id, d.reason]), [['big-visit', 'larger than the server accepts (413)']]);
      assert.equal(first.held.denied, 1);
      assert.ok(await onServer(world, 'small-visit'));
      // The limit is raised: the same database is now served by a gateway accepting larger bodies.
      const origin = new URL(world.url).origin;
      phone.rewrite = (url) => url.replace(origin, roomy.origin);
      await phone.client.sync();
      assert.ok(await onServer(world, 'big-visit'), 'pushed once the server accepts it');
      assert.deepEqual(await phone.client.denied(), []);
    } finally {
      await roomy.close();
      await world.stop();
    }
  });
});
