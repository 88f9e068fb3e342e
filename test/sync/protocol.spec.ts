import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backOffDelay, batches, DEFAULT_BACK_OFF, isRemovalMarker } from '../../lib/sync/protocol.js';

describe('the sync protocol', () => {
  describe('batches', () => {
    it('sends every item exactly once, in order, in batches of at most the size and only the last one shorter', () => {
      fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 60 }), fc.integer({ min: 1, max: 20 }), (items, size) => {
        const parts = batches(items, size);
        assert.deepEqual(parts.flat(), items);
        assert.equal(parts.length, Math.ceil(items.length / size));
        parts.forEach((part, i) => assert.equal(part.length, i < parts.length - 1 ? size : items.length - size * i));
      }), { seed: 15_101, numRuns: 200 });
    });

    it('refuses a batch size that would never end or split nothing', () => {
      for (const size of [0, -1, 1.5, Number.NaN]) {
        assert.throws(() => batches([1, 2], size), (e: unknown) => e instanceof RangeError && e.message.includes(String(size)), String(size));
      }
    });
  });

  describe('back-off', () => {
    const noJitter = { ...DEFAULT_BACK_OFF, jitter: 0 };

    it('waits the initial delay first, then doubles it up to the maximum', () => {
      assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((attempt) => backOffDelay(attempt, 0.5, noJitter)), [1_000, 2_000, 4_000, 8_000, 16_000, 25_000, 25_000]);
      assert.equal(backOffDelay(-3, 0.5, noJitter), 1_000, 'never shorter than the initial delay');
    });

    it('spreads each delay by the jitter on both sides, centred on it', () => {
      const backOff = { initialMs: 1_000, maxMs: 8_000, jitter: 0.2 };
      assert.equal(backOffDelay(3, 0, backOff), 6_400, 'the earliest: 20 % early');
      assert.equal(backOffDelay(3, 0.5, backOff), 8_000, 'the middle: on time');
      assert.equal(backOffDelay(3, 0.75, backOff), 8_800);
      assert.equal(backOffDelay(2, 0.999_999, backOff), 4_800, 'the latest: 20 % late');
    });

    it('uses the default back-off when given none', () => {
      assert.equal(backOffDelay(1, 0.5), 2_000);
      assert.equal(backOffDelay(9, 0), 20_000);
    });
  });

  it('tells the removal tombstones a client writes apart from deletions the user made', () => {
    assert.equal(isRemovalMarker({ _deleted: true, purged: true }), true);
    assert.equal(isRemovalMarker({ _deleted: true }), false, 'a deletion by the user is pushed');
    assert.equal(isRemovalMarker({ purged: true }), false, 'a live document with such a field is the user\'s');
    assert.equal(isRemovalMarker({ _deleted: true, purged: 'yes' }), false);
  });
});
