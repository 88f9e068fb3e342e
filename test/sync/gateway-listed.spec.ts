import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chtAccessRules } from '../../lib/cht/rules.js';
import { listedRevisions } from '../../lib/sync/gateway/listed.js';
import { gatewayDatabase } from '../../lib/sync/gateway/scope.js';
import type { RequestScope } from '../../lib/sync/gateway/scope.js';

const TTL = 100;
const served = gatewayDatabase(chtAccessRules());
const scopeOf = (name: string): RequestScope => ({ user: { name, roles: ['chw'] }, db: 'medic', served, log: {} });

/** A user listed x and y at time 0, then merged y's second revision and z at 60; the clock is settable. */
function listedThenMerged(): { listed: ReturnType<typeof listedRevisions>; me: RequestScope; clock: { now: number } } {
  const clock = { now: 0 };
  const listed = listedRevisions(TTL, () => clock.now);
  const me = scopeOf('a');
  listed.remember(me, new Map([['x', '1-x'], ['y', '1-y']]));
  clock.now = 60;
  listed.merge(me, [['y', '2-y'], ['z', '1-z']]);
  return { listed, me, clock };
}

describe('gateway listed revisions: what a user was just listed may be streamed unread', () => {
  it('keeps the pull list and each revision the feed merges for its own time, never prolonging the others', () => {
    const { listed, me, clock } = listedThenMerged();
    assert.equal(listed.listed(me, 'x', '1-x'), true);
    assert.equal(listed.listed(me, 'y', '1-y'), true);
    assert.equal(listed.listed(me, 'y', '2-y'), true);
    assert.equal(listed.listed(me, 'x', '2-x'), false);
    assert.equal(listed.listed(scopeOf('b'), 'x', '1-x'), false, 'another user was listed nothing');
    clock.now = 100;
    assert.equal(listed.listed(me, 'x', '1-x'), false, 'the list expired though the feed merged more since');
    assert.equal(listed.listed(me, 'y', '2-y'), true);
    clock.now = 160;
    listed.merge(me, [['w', '1-w']]);
    assert.deepEqual(['y', 'z', 'w'].map((id) => listed.listed(me, id, `${id === 'y' ? 2 : 1}-${id}`)), [false, false, true]);
  });

  it('keeps a revision listed again for the time of its later listing', () => {
    let now = 0;
    const listed = listedRevisions(TTL, () => now);
    const me = scopeOf('a');
    listed.merge(me, [['x', '1-x']]);
    now = 50;
    listed.merge(me, [['x', '1-x']]);
    now = 120;
    listed.merge(me, [['y', '1-y']]);
    assert.equal(listed.listed(me, 'x', '1-x'), true);
    now = 150;
    assert.equal(listed.listed(me, 'x', '1-x'), false);
  });

  it('counts each held revision once, and forgets the expired ones when it merges more (the bound the cache weighs)', () => {
    const { listed, me, clock } = listedThenMerged();
    assert.equal(listed.stats().revisions, 4);
    clock.now = 70;
    listed.merge(me, [['z', '1-z'], ['y', '2-y']]);
    assert.equal(listed.stats().revisions, 4, 'a revision listed again is not counted again');
    clock.now = 165;
    // The list (at 0) is gone; 2-y and 1-z were listed again at 70, so their first listing at 60 frees nothing.
    listed.merge(me, [['w', '1-w']]);
    assert.equal(listed.stats().revisions, 3);
    assert.deepEqual([['x', '1-x'], ['y', '2-y'], ['z', '1-z'], ['w', '1-w']].map(([id, rev]) => listed.listed(me, id ?? '', rev ?? '')), [false, true, true, true]);
    clock.now = 175;
    listed.merge(me, [['v', '1-v']]);
    assert.equal(listed.stats().revisions, 2, 'what was listed at 70 expired at 170');
  });

  it('stays exact after thousands of revisions expired from the front of its order', () => {
    let now = 0;
    const listed = listedRevisions(TTL, () => now);
    const me = scopeOf('a');
    for (let i = 0; i < 3_000; i += 1) { now = i / 100; listed.merge(me, [[`d${i}`, '1-a']]); }
    now = 200;
    listed.merge(me, [['late', '1-a']]);
    assert.equal(listed.stats().revisions, 1);
    assert.equal(listed.listed(me, 'd2999', '1-a'), false);
    assert.equal(listed.listed(me, 'late', '1-a'), true);
    for (let i = 0; i < 1_500; i += 1) { now = 250 + i / 100; listed.merge(me, [[`e${i}`, '1-a']]); }
    assert.equal(listed.stats().revisions, 1_501, 'what was merged since, and the late one (listed at 200)');
    assert.equal(listed.listed(me, 'e0', '1-a'), true);
    now = 301;
    listed.merge(me, [['last', '1-a']]);
    assert.equal(listed.listed(me, 'late', '1-a'), false);
    assert.equal(listed.stats().revisions, 1_501, 'the late one gone, the last one in');
  });

  it('answers as a model that remembers when each revision was last listed, whatever the order of lists and merges (property)', () => {
    const id = fc.constantFrom('a', 'b', 'c');
    const rev = fc.constantFrom('1-a', '1-b', '2-b');
    const step = fc.oneof(
      fc.record({ kind: fc.constant('remember' as const), wait: fc.nat(80), revs: fc.array(fc.tuple(id, rev), { maxLength: 3 }) }),
      fc.record({ kind: fc.constant('merge' as const), wait: fc.nat(80), revs: fc.array(fc.tuple(id, rev), { maxLength: 3 }) }),
    );
    fc.assert(fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
      let now = 0;
      const listed = listedRevisions(TTL, () => now);
      const me = scopeOf('a');
      let model = new Map<string, number>();
      for (const s of steps) {
        now += s.wait;
        if (s.kind === 'remember') model = new Map([...new Map(s.revs)].map(([i, r]) => [`${i} ${r}`, now]));
        if (s.kind === 'remember') listed.remember(me, new Map(s.revs));
        else if (s.revs.length > 0) {
          // A merge into an expired entry starts afresh, as the cache forgot it.
          if ([...model.values()].every((at) => now - at >= TTL)) model = new Map();
          for (const [i, r] of s.revs) model.set(`${i} ${r}`, now);
          listed.merge(me, s.revs);
        }
        for (const i of ['a', 'b', 'c']) {
          for (const r of ['1-a', '1-b', '2-b']) {
            const at = model.get(`${i} ${r}`);
            assert.equal(listed.listed(me, i, r), at !== undefined && now - at < TTL, `${i} ${r} at ${now}`);
          }
        }
      }
    }), { numRuns: 300 });
  });
});
