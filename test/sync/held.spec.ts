import assert from 'node:assert/strict';
import { addToQuarantine, loadQuarantine, releaseQuarantined } from '../../lib/sync/client/held.js';
import type { QuarantinedDoc } from '../../lib/sync/client/held.js';
import type { LocalDatabase } from '../../lib/sync/client/local.js';
import { memoryPouch } from '../support/pouch.js';

const entry = (id: string, rev: string): QuarantinedDoc => ({ id, rev, reason: 'not-visible', doc: { _id: id, _rev: rev, name: `${id} at ${rev}` } });
const held = async (local: LocalDatabase): Promise<string[]> => (await loadQuarantine(local)).map((q) => `${q.id}@${q.rev}`);

describe('the quarantine', () => {
  let local: LocalDatabase;
  beforeEach(() => { local = memoryPouch(); });

  it('keeps every revision added, across removals, and each id and revision once', async () => {
    await addToQuarantine(local, [entry('a', '2-x')]);
    // A later revoke of the same document, edited again after a re-grant, and a revoke retried after it was cut short.
    await addToQuarantine(local, [entry('a', '4-y'), entry('b', '3-z')]);
    await addToQuarantine(local, [entry('a', '2-x'), entry('b', '3-z')]);
    assert.deepEqual(await held(local), ['a@2-x', 'a@4-y', 'b@3-z']);
    assert.equal((await loadQuarantine(local))[0]?.doc['name'], 'a at 2-x', 'with its body');
  });

  it('drops exactly the revision the app released, and nothing for one it does not hold', async () => {
    await addToQuarantine(local, [entry('a', '2-x'), entry('a', '4-y'), entry('b', '2-x')]);
    await releaseQuarantined(local, 'a', '2-x');
    assert.deepEqual(await held(local), ['a@4-y', 'b@2-x']);
    await releaseQuarantined(local, 'c', '1-q');
    assert.deepEqual(await held(local), ['a@4-y', 'b@2-x']);
  });
});
