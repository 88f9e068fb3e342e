import assert from 'node:assert/strict';
import { createSyncClient, SyncError } from '../../lib/index.js';
import { memoryPouch } from '../support/pouch.js';
import { syncWorld } from './world.js';
import type { SyncWorld } from './world.js';

function kindOf(err: unknown): string | undefined {
  return err instanceof SyncError ? err.kind : undefined;
}

describe('the sync client points at the right server', function () {
  this.timeout(60_000);
  let world: SyncWorld;
  before(async () => { world = await syncWorld(); });
  after(async () => { await world.stop(); });

  it('refuses a malformed gateway URL at once, synchronously, with kind invalid-url and what is wrong', () => {
    const cases: ReadonlyArray<readonly [string, RegExp]> = [
      ['not a url', /not a URL/],
      ['ftp://example.org/fieldsync/medic', /http or https/],
      ['https://example.org', /names no database/],
      ['https://example.org/', /names no database/],
      ['https://chw:secret@example.org/fieldsync/medic', /credentials.*auth/],
      ['https://example.org/fieldsync/medic?x=1', /query or fragment/],
    ];
    for (const [url, reason] of cases) {
      let thrown: unknown;
      try {
        createSyncClient({ local: memoryPouch(), url });
      } catch (err) {
        thrown = err;
      }
      assert.equal(kindOf(thrown), 'invalid-url', url);
      assert.match((thrown as Error).message, reason, url);
    }
  });

  it('tells a CouchDB URL given as the gateway (not-a-gateway) from refused credentials (unauthorized)', async () => {
    const me = world.user('chw11');
    const raw = `${world.couch.url.replace(/\/$/, '')}/${encodeURIComponent(world.db)}`;
    for (const auth of [{ username: me.name, password: me.password }, world.couch.admin]) {
      const client = createSyncClient({ local: memoryPouch(), url: raw, auth });
      await assert.rejects(client.sync(), (err: unknown) => {
        assert.equal(kindOf(err), 'not-a-gateway', String(err));
        assert.match((err as Error).message, /not a fieldsync sync gateway/);
        return true;
      });
    }
    const wrong = createSyncClient({ local: memoryPouch(), url: world.url, auth: { username: me.name, password: 'wrong' } });
    await assert.rejects(wrong.sync(), (err: unknown) => kindOf(err) === 'unauthorized');
  });
});
