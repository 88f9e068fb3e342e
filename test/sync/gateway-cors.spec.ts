import assert from 'node:assert/strict';
import { createSyncGateway } from '../../lib/sync/gateway/index.js';
import { syncWorld } from './world.js';
import type { SyncWorld } from './world.js';

const PAGE = 'http://localhost:5173';

describe('gateway CORS', function () {
  this.timeout(60_000);
  let world: SyncWorld;
  before(async () => { world = await syncWorld({ cors: { origins: [PAGE, 'capacitor://localhost'] } }); });
  after(async () => { await world.stop(); });

  const preflight = (origin: string): Promise<Response> => fetch(`${world.url}/_bulk_docs`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });

  it('answers a preflight from a listed origin with 204 before any authentication', async () => {
    const res = await preflight('capacitor://localhost');
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), 'capacitor://localhost');
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.equal(res.headers.get('access-control-allow-headers'), 'authorization, content-type');
    assert.equal(res.headers.get('vary'), 'Origin');
  });

  it('refuses a preflight from an origin not listed with 403 in CouchDB error format, and no allow header', async () => {
    const res = await preflight('http://evil.example');
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(((await res.json()) as { error?: string }).error, 'forbidden');
  });

  it('puts the allow headers and Vary: Origin on answers to a listed origin, errors included', async () => {
    const res = await fetch(`${world.url}/_fieldsync/ids`, { headers: { origin: PAGE } });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('access-control-allow-origin'), PAGE);
    assert.equal(res.headers.get('vary'), 'Origin');
    const other = await fetch(`${world.url}/_fieldsync/ids`, { headers: { origin: 'http://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    assert.equal(other.headers.get('vary'), 'Origin');
  });

  it('refuses at creation an origin that is not scheme://host[:port]', () => {
    for (const origin of ['localhost:5173', 'http://localhost:5173/', 'http://a/b', '*']) {
      assert.throws(() => createSyncGateway({ couchUrl: 'http://127.0.0.1:1', admin: { username: 'a', password: 'b' }, databases: {}, cors: { origins: [origin] } }), TypeError, origin);
    }
  });
});
