import assert from 'node:assert/strict';
import fc from 'fast-check';
import { boundedCache } from '../../lib/sync/gateway/bounded-cache.js';
import { waitSlots } from '../../lib/sync/gateway/wait-slots.js';

describe('gateway caches: what users make the gateway remember is bounded', () => {
  it('forgets an entry once its time is up', () => {
    const cache = boundedCache<string>({ ttlMs: 100, maxEntries: 10 });
    cache.set('a', 'A', 1_000);
    assert.equal(cache.get('a', 1_099), 'A');
    assert.equal(cache.get('a', 1_100), undefined);
    assert.equal(cache.size, 0);
  });

  it('drops expired entries when new ones come, though nobody asks for them again', () => {
    const cache = boundedCache<string>({ ttlMs: 100, maxEntries: 10 });
    for (let i = 0; i < 5; i += 1) cache.set(`user${i}`, 'x', 1_000);
    cache.set('late', 'x', 1_200);
    assert.equal(cache.size, 1);
  });

  it('keeps nothing with a time of 0 (every request asks again)', () => {
    const cache = boundedCache<string>({ ttlMs: 0, maxEntries: 10 });
    cache.set('a', 'A', 1);
    assert.equal(cache.get('a', 1), undefined);
    assert.equal(cache.size, 0);
  });

  it('never holds more entries or weight than its bounds, evicting the oldest first (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 50 })), { maxLength: 200 }),
      (ops) => {
        const cache = boundedCache<number>({ ttlMs: 1_000, maxEntries: 8, maxWeight: 100, weigh: (v) => v });
        let now = 0;
        let last: string | undefined;
        for (const [user, weight, step] of ops) {
          now += step;
          last = `u${user}`;
          cache.set(last, weight, now);
          assert.ok(cache.size <= 8);
          assert.ok(cache.weight <= 100);
          assert.equal(cache.get(last, now), weight, 'the newest entry is kept');
        }
      },
    ), { seed: 1616, numRuns: 200 });
  });

  it('holds exactly what a list model holds: expiry at its instant, the oldest evicted first by count and weight (property)', () => {
    interface Entry { key: string; value: number; expires: number }
    const TTL = 10;
    const op = fc.record({
      kind: fc.constantFrom('set', 'set', 'get', 'delete'), key: fc.integer({ min: 0, max: 6 }), value: fc.integer({ min: 0, max: 45 }), step: fc.integer({ min: 0, max: 6 }),
    });
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const cache = boundedCache<number>({ ttlMs: TTL, maxEntries: 4, maxWeight: 60, weigh: (v) => v });
      let model: Entry[] = [];
      let now = 0;
      const weightOf = (entries: Entry[]): number => entries.reduce((sum, e) => sum + e.value, 0);
      for (const { kind, key: k, value, step } of ops) {
        now += step;
        const key = `k${k}`;
        if (kind === 'set') {
          cache.set(key, value, now);
          model = model.filter((e) => e.key !== key && e.expires > now);
          if (value <= 60) {
            model.push({ key, value, expires: now + TTL });
            while (model.length > 4 || weightOf(model) > 60) model.shift();
          }
        } else if (kind === 'get') {
          const held = model.find((e) => e.key === key);
          assert.equal(cache.get(key, now), held && held.expires > now ? held.value : undefined, `get ${key} at ${now}`);
          if (held && held.expires <= now) model = model.filter((e) => e !== held);
        } else {
          cache.delete(key);
          model = model.filter((e) => e.key !== key);
        }
        assert.deepEqual([...cache.entries()], model.map((e) => [e.key, e.value]), `after ${kind} ${key} at ${now}`);
        assert.equal(cache.weight, weightOf(model));
        assert.deepEqual(cache.stats(), { entries: model.length, maxEntries: 4 });
      }
    }), { seed: 2024, numRuns: 300 });
  });

  it('refuses an entry heavier than the whole cache rather than emptying it', () => {
    const cache = boundedCache<number>({ ttlMs: 1_000, maxEntries: 8, maxWeight: 100, weigh: (v) => v });
    cache.set('small', 10, 0);
    cache.set('huge', 1_000, 0);
    assert.equal(cache.get('huge', 0), undefined);
    assert.equal(cache.get('small', 0), 10);
  });

  it('gives each user a few wait slots, back once each, and forgets users with none open', () => {
    const slots = waitSlots(2);
    const a = slots.take('u');
    const b = slots.take('u');
    assert.ok(a && b);
    assert.equal(slots.take('u'), undefined);
    assert.ok(slots.take('v'), 'another user has their own slots');
    a();
    a();
    const c = slots.take('u');
    assert.ok(c);
    assert.equal(slots.take('u'), undefined, 'a slot given back twice counts once');
  });

  it('counts the open waits per user and forgets a user whose last wait ended', () => {
    const slots = waitSlots(3);
    const [a, b] = [slots.take('u'), slots.take('u')];
    const v = slots.take('v');
    assert.deepEqual(slots.stats(), { users: 2, open: 3 });
    a?.();
    assert.deepEqual(slots.stats(), { users: 2, open: 2 });
    b?.();
    v?.();
    assert.deepEqual(slots.stats(), { users: 0, open: 0 });
  });
});
