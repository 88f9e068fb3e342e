import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkpointLag, loadSynced, saveSynced, syncedSeq } from '../../lib/sync/client/synced.js';
import { memoryPouch } from '../support/pouch.js';

describe('where the last complete sync left the device', () => {
  it('is 0 and 0 on a database that never synced', async () => {
    const local = memoryPouch();
    assert.deepEqual(await loadSynced(local), { seq: 0, pushedTo: 0 });
    assert.equal(await syncedSeq(local), 0);
  });

  it('reads back the last of several records, kept out of the changes', async () => {
    const local = memoryPouch();
    await saveSynced(local, { seq: 4, pushedTo: 2 });
    await saveSynced(local, { seq: '9-g1', pushedTo: 7 });
    assert.deepEqual(await loadSynced(local), { seq: '9-g1', pushedTo: 7 });
    assert.equal(await syncedSeq(local), '9-g1');
    assert.equal((await local.info()).doc_count, 0);
  });

  it('counts the changes between the push checkpoint and the synced sequence, never below 0', () => {
    fc.assert(
      fc.property(fc.nat(1e9), fc.nat(1e9), fc.boolean(), (seq, pushedTo, asText) => {
        const lag = checkpointLag(asText ? { seq: String(seq), pushedTo: String(pushedTo) } : { seq, pushedTo });
        assert.equal(lag, Math.max(0, seq - pushedTo));
      }),
      { seed: 20261202 },
    );
  });

  it('is unbounded when either sequence is not a number, so the push never starts past an unknown point', () => {
    for (const synced of [
      { seq: '12-g1AAAA', pushedTo: 3 },
      { seq: 12, pushedTo: '3-g1AAAA' },
      { seq: 'x', pushedTo: 'y' },
      { seq: 2 ** 60, pushedTo: 0 },
    ]) {
      assert.equal(checkpointLag(synced), Infinity, JSON.stringify(synced));
    }
  });
});
