import assert from 'node:assert/strict';
import fc from 'fast-check';
import { changeWindow } from '../../lib/sync/gateway/change-window.js';
import type { WindowChange } from '../../lib/sync/gateway/change-window.js';
import { judgeWindow } from '../../lib/sync/gateway/feed.js';

const change = (seq: string, id: string, before: string[], after: string[], deleted = false): WindowChange =>
  ({ seq, id, revs: [`${seq}-r`], winner: `${seq}-r`, deleted, before, after });

describe('change window: positions and eviction', () => {
  it('answers the changes after its start, any entry or a mark, and nothing for an unknown sequence', () => {
    const window = changeWindow('s0', 100);
    window.push(change('s1', 'a', [], ['k']));
    window.mark('m1');
    window.push(change('s2', 'b', [], ['k']));
    assert.deepEqual(window.after('s0')?.map((c) => c.id), ['a', 'b']);
    assert.deepEqual(window.after('s1')?.map((c) => c.id), ['b']);
    assert.deepEqual(window.after('m1')?.map((c) => c.id), ['b']);
    assert.deepEqual(window.after('s2'), []);
    assert.equal(window.after('s9'), undefined);
    assert.equal(window.end, 's2');
  });

  it('forgets the oldest entries beyond its capacity, and answers from its new start only', () => {
    const window = changeWindow('s0', 10);
    for (let i = 1; i <= 11; i++) window.push(change(`s${i}`, `d${i}`, [], ['k']));
    assert.ok(window.size <= 10);
    assert.equal(window.after('s0'), undefined);
    const start = ['s1', 's2'].find((s) => window.after(s) !== undefined)!;
    assert.deepEqual(window.after(start)?.at(-1)?.id, 'd11');
  });
});

describe('change window against a model that keeps everything (property)', () => {
  it('answers exactly for its start and its held positions, what the model holds after them, and holds what its capacity says', () => {
    const op = fc.constantFrom('change', 'mark', 'mark-again');
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.array(op, { maxLength: 60 }), (capacity, ops) => {
      const window = changeWindow('s0', capacity);
      // Every position in order: the start, then each change or mark; the changes after each.
      const positions: Array<{ seq: string; change?: WindowChange }> = [{ seq: 's0' }];
      let n = 0;
      for (const kind of ops) {
        if (kind === 'mark-again') {
          // The end of a batch that ended on its last change is no new position.
          window.mark(positions.at(-1)!.seq);
        } else {
          n += 1;
          const seq = `s${n}`;
          if (kind === 'change') {
            const c = change(seq, `d${n % 5}`, [], ['k']);
            window.push(c);
            positions.push({ seq, change: c });
          } else {
            window.mark(seq);
            positions.push({ seq });
          }
        }
        const items = positions.length - 1;
        const drop = Math.max(1, Math.floor(capacity / 10));
        assert.ok(window.size <= capacity, `size ${window.size} over ${capacity}`);
        assert.ok(window.size >= Math.min(items, capacity + 1 - drop), `size ${window.size} of ${items} at capacity ${capacity}`);
        assert.equal(window.end, positions.at(-1)!.seq);
        positions.forEach((position, i) => {
          const answered = window.after(position.seq);
          if (i < positions.length - 1 - window.size) {
            assert.equal(answered, undefined, `${position.seq} is no longer in the window`);
          } else {
            const expected = positions.slice(i + 1).flatMap((p) => (p.change ? [p.change.id] : []));
            assert.deepEqual(answered?.map((c) => c.id), expected, `after ${position.seq}`);
          }
        });
      }
    }), { numRuns: 300, seed: 1701 });
  });
});

describe('feed window phase: who is told what', () => {
  const r0 = new Set(['mine']);
  it('tells a visible change, a deletion of a held doc, a removal of a held doc, and nothing else', () => {
    const judged = judgeWindow([
      change('1', 'seen', ['mine'], ['mine']),
      change('2', 'deleted', ['mine'], ['mine'], true),
      change('3', 'moved-away', ['mine'], ['theirs']),
      change('4', 'never', ['theirs'], ['other']),
      change('5', 'new-elsewhere', [], ['theirs']),
    ], { r0, r1: r0 });
    assert.deepEqual(judged.map((j) => [j.change.id, j.how]), [['seen', 'change'], ['deleted', 'deleted'], ['moved-away', 'removed']]);
  });

  it('judges a document by its keys before its first change after the cursor and after its last', () => {
    const judged = judgeWindow([change('1', 'x', ['mine'], ['theirs']), change('2', 'x', ['theirs'], ['other'])], { r0, r1: r0 });
    assert.deepEqual(judged.map((j) => [j.change.seq, j.how]), [['2', 'removed']]);
  });

  it('never removes by guess a document of a gained key: unlisted, it is not told; listed, it is unsure (the client verifies)', () => {
    const r1 = new Set(['mine', 'gained']);
    const changes = [change('1', 'b', ['gained'], ['theirs'])];
    assert.deepEqual(judgeWindow(changes, { r0, r1 }).map((j) => j.how), []);
    assert.deepEqual(judgeWindow(changes, { r0, r1, listedUpTo: 'a' }).map((j) => j.how), []);
    // r1 may hold keys granted after the listing, so the gateway cannot tell what the user was given.
    assert.deepEqual(judgeWindow(changes, { r0, r1, listedUpTo: 'c' }).map((j) => j.how), ['unsure']);
  });
});

describe('judgeWindow: the edges of what a user is told', () => {
  const mine = new Set(['mine', '_design/client']);
  const ids = (judged: ReturnType<typeof judgeWindow>): Array<[string, string]> => judged.map((j) => [j.change.id, j.how]);

  it('sees a client design doc by its id, and no other document by its id alone', () => {
    const judged = judgeWindow([
      change('1', '_design/client', [], []), change('2', '_design/other', [], []), change('3', 'mine', [], []),
    ], { r0: mine, r1: mine });
    assert.deepEqual(ids(judged), [['_design/client', 'change']]);
  });

  it('lists each document once, at its latest change, in the order of those latest changes', () => {
    const judged = judgeWindow([change('1', 'a', [], ['mine']), change('2', 'b', [], ['mine']), change('3', 'a', ['mine'], ['mine'])], { r0: mine, r1: mine });
    assert.deepEqual(judged.map((j) => [j.change.id, j.change.seq]), [['b', '2'], ['a', '3']]);
  });

  it('with the start of the access change out of the window, a document held under R0 is unsure, never removed by guess', () => {
    const changes = [change('5', 'x', ['mine'], ['theirs'])];
    assert.deepEqual(ids(judgeWindow(changes, { r0: mine, r1: new Set(['other']), episode: null })), [['x', 'unsure']]);
    // Not held under R0 either: nothing is told.
    assert.deepEqual(ids(judgeWindow([change('5', 'y', ['theirs'], ['theirs'])], { r0: mine, r1: new Set(['other']), episode: null })), []);
  });

  it('judges what was held by the keys a document had when the access changed (the first change of the episode)', () => {
    const episode = [change('2', 'x', ['mine'], ['elsewhere']), change('3', 'x', ['elsewhere'], ['theirs'])];
    const r1 = new Set(['other']);
    // After the cursor the document moved from elsewhere to theirs; at the episode's start it was mine: held.
    assert.deepEqual(ids(judgeWindow([episode[1]!], { r0: mine, r1, episode })), [['x', 'removed']]);
    // A document the episode never names is judged by its own first change after the cursor.
    assert.deepEqual(ids(judgeWindow([change('4', 'y', ['mine'], ['theirs'])], { r0: mine, r1, episode })), [['y', 'removed']]);
    assert.deepEqual(ids(judgeWindow([change('4', 'z', ['elsewhere'], ['theirs'])], { r0: mine, r1, episode })), []);
  });

  it('never leaves out a document visible under R0 after the cursor that is not visible now: the user may hold their own write', () => {
    // Created after the cursor in the user's area (their own push), then out of their view: unsure, so the client verifies.
    const created = [change('1', 'w', [], ['mine']), change('2', 'w', ['mine'], ['theirs'])];
    assert.deepEqual(ids(judgeWindow(created, { r0: mine, r1: mine })), [['w', 'unsure']]);
    // Or the user lost the area after writing in it.
    assert.deepEqual(ids(judgeWindow([change('1', 'v', [], ['mine'])], { r0: mine, r1: new Set(['other']) })), [['v', 'unsure']]);
    // Never visible to them: nothing is told.
    assert.deepEqual(ids(judgeWindow([change('1', 'u', [], ['theirs'])], { r0: mine, r1: new Set(['other']) })), []);
  });

  it('takes the gained keys into account only for documents listed so far, the last listed one included', () => {
    const r1 = new Set(['mine', 'gained']);
    const changes = [change('1', 'b', ['gained'], ['theirs'])];
    assert.deepEqual(ids(judgeWindow(changes, { r0: mine, r1, listedUpTo: 'b' })), [['b', 'unsure']]);
    // A key in both R0 and R1 is not gained: a document that had it only after the access changed was
    // never listed as gained, so nothing is told of it.
    const episode = [change('1', 'b', ['elsewhere'], ['shared'])];
    const moved = [change('2', 'b', ['shared'], ['theirs'])];
    assert.deepEqual(ids(judgeWindow(moved, { r0: new Set(['shared']), r1: new Set(['shared', 'gained']), listedUpTo: 'c', episode })), []);
    // Gained (in R1, not in R0): it may have been listed, so the client verifies.
    assert.deepEqual(ids(judgeWindow(moved, { r0: new Set(['x']), r1: new Set(['shared', 'gained']), listedUpTo: 'c', episode })), [['b', 'unsure']]);
  });
});
