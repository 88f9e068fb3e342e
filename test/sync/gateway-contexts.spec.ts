import assert from 'node:assert/strict';
import { contextCache } from '../../lib/sync/gateway/contexts.js';
import type { GatewayCouch } from '../../lib/sync/gateway/couch.js';
import { gatewayDatabase } from '../../lib/sync/gateway/scope.js';
import type { RequestScope } from '../../lib/sync/gateway/scope.js';
import type { AccessRules } from '../../lib/sync/rules.js';

/** Rules whose context is a counter of how often it was computed; the user reads the key of their name. */
function countingRules(): { rules: AccessRules<number>; computed: () => number } {
  let computed = 0;
  const rules = {
    designDocId: '_design/counting',
    designDoc: () => ({ _id: '_design/counting' }),
    replicationKeys: () => [],
    context: () => Promise.resolve(++computed),
    readableKeys: () => ['key-a'],
    writeFacts: () => Promise.resolve(undefined),
    checkWrites: () => [],
  } as unknown as AccessRules<number>;
  return { rules, computed: () => computed };
}

const couch = { query: () => ({}) } as unknown as GatewayCouch;

describe('gateway contexts: the feed reuses what its change index keeps exact', () => {
  let now = 0;
  const setup = (): { cache: ReturnType<typeof contextCache>; scope: RequestScope; computed: () => number } => {
    now = 0;
    const { rules, computed } = countingRules();
    const scope: RequestScope = { user: { name: 'a', roles: [] }, db: 'medic', served: gatewayDatabase(rules), log: {} };
    return { cache: contextCache(couch, 5_000, () => now, 60_000), scope, computed };
  };

  it('reuses a context the feed computed past contextTtlMs while the same index follows, up to followedTtlMs', async () => {
    const { cache, scope, computed } = setup();
    const index = {};
    await cache.followed(scope, index);
    now = 50_000;
    await cache.followed(scope, index);
    assert.equal(computed(), 1);
    await cache.of(scope, false);
    assert.equal(computed(), 2, '_bulk_get reuses a context only for contextTtlMs');
    now = 50_000 + 60_000;
    await cache.followed(scope, index);
    assert.equal(computed(), 3, 'the bound on what is held');
  });

  it('does not reuse it past contextTtlMs for another index (the database was created again)', async () => {
    const { cache, scope, computed } = setup();
    await cache.followed(scope, {});
    now = 6_000;
    await cache.followed(scope, {});
    assert.equal(computed(), 2);
  });

  it('computes it again after a change that may alter it, and not after another', async () => {
    const { cache, scope, computed } = setup();
    const index = {};
    await cache.followed(scope, index);
    now = 10_000;
    cache.invalidate('medic', new Set(['key-b']));
    cache.invalidate('other', new Set(['key-a']));
    await cache.followed(scope, index);
    assert.equal(computed(), 1);
    cache.invalidate('medic', new Set(['key-a']));
    await cache.followed(scope, index);
    assert.equal(computed(), 2);
    cache.invalidate('medic', new Set(['org.couchdb.user:a']));
    await cache.followed(scope, index);
    assert.equal(computed(), 3, 'a change of the user\'s own settings');
  });
});
