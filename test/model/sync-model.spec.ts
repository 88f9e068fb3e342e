import type { ALL_CLASSES, ModelOptions } from './commands.js';
import type { Tolerated } from './invariants.js';
import { runModel } from './property.js';

/** Writes between syncs, the admin's writes, and the network failing: what holds on the current code. */
const BASELINE: ModelOptions = {
  writesDuringSync: false, accessChanges: false, pendingAtRevoke: false, forbiddenWrites: false, recreate: false, deleteContacts: false,
  serverWrites: true, network: true, quota: false, docErrors: false, closeReopen: false,
};

type ClassName = keyof typeof ALL_CLASSES;

/**
 * Classes that fail on the current code, each with the issue-15 defect it finds and the shrunk
 * counterexample it found (seed and command sequence). Skipped while the defect is open: set `fixed`
 * when the fix lands. `npm run test:model -- --only serverWrites,network,<with...>` runs one at length.
 */
const FAILING: ReadonlyArray<{
  readonly with: readonly ClassName[];
  readonly finds: string;
  readonly found: string;
  readonly tolerated?: Tolerated;
  readonly fixed: boolean;
}> = [
  {
    with: ['writesDuringSync'], finds: 'defect 1: a write made while the push is in flight is never pushed',
    found: 'seed 7: sync(d0, write report/0 before request 6) -> r-w1 accepted by the rules, not on the server, "up-to-date"', fixed: true,
  },
  {
    with: ['accessChanges', 'pendingAtRevoke'], finds: 'defect 3: an edit pending at revoke is lost',
    found: 'seed 7: sync(d0), assign(chwA, []), write(d0, edit, 3), sync(d0, refuse at request 0) -> the edit of hcA is gone', fixed: true,
  },
  {
    with: ['accessChanges'], finds: 'defect 3 again: a refused edit (own facility, or after a failed sync) is lost when the doc is removed',
    found: 'seed 7: sync(d1), write(d1, edit, 3), assign(chwB, [], synced) -> the refused edit of hcB is gone', fixed: true,
  },
  {
    with: ['accessChanges', 'forbiddenWrites'], finds: 'defect 5: a report denied because its area was not granted is never pushed after the grant',
    found: 'seed 9: write(d0, report-elsewhere, 7), assign(chwA, [hcB], synced) -> r-w1 accepted by the rules, not on the server, "up-to-date"',
    fixed: true,
  },
  {
    with: ['accessChanges', 'quota'], finds: 'defects 2 and 4: a re-grant interrupted by a quota error leaves its bookkeeping unsaved, then every sync fails with 409',
    found: 'seed 12: assign(sup, [hcA], synced), assign(sup, [d1], synced, quota at local write 1) -> "Document update conflict" on every later sync',
    fixed: true,
  },
  {
    with: ['accessChanges', 'pendingAtRevoke', 'recreate'], finds: 'defect 4: a re-grant after the app re-wrote a removed id fails every sync with 409',
    found: 'seed 13 (run 223 of 250): sync(d2), assign(sup, []), sync(d2), assign(sup, [d1]), write(d2, recreate, 0), sync(d0) -> "Document update conflict" on every sync',
    fixed: true,
  },
  {
    with: ['docErrors'], finds: 'defect 7: a document the local bulkDocs refused is missing while the sync says up to date',
    found: 'seed 7: sync(d0, doc-error at local write 0) -> chwA allowed, the device holds nothing, "up-to-date"', fixed: true,
  },
  {
    with: ['closeReopen'], finds: 'defect 10: a bulkDocs in flight during close() never settles, the sync hangs',
    // The client fails such a sync with kind local. The model then reopened the database at once, before
    // PouchDB had finished closing it (a second close() rejects at once instead of waiting), which PouchDB
    // never opens (docs/sync.md), so the next sync hung: the model's mistake, not the client's. It now
    // waits for that close, as an app must; seed 152026, 12 runs then found the quiet sync hanging.
    found: 'seed 7: sync(d0, close at local write 0) -> the sync does not settle within 20 s', fixed: true,
  },
  {
    with: ['deleteContacts'], finds: 'not in issue 15: the pull list is taken before the push, so reports of a person deleted by the push stay',
    // Fixed by taking the list again after a push that wrote, by the cycle's late push making the sync run
    // another cycle, and (seed 152026, 20 runs, path 3:1: sync(d2, write delete/2 before request 2) -> rA
    // held although not allowed, "up-to-date") by the push that only moves the checkpoint past the
    // downloads doing so too when it carried a write made meanwhile (safety-deletes.spec.ts).
    found: 'seed 7: sync(d1), write(d1, delete, 10), sync(d0) -> rB held although not allowed, "up-to-date"', fixed: true,
  },
];

/** Fixed seed: the same sequences on every run of `npm test`. */
const SEED = 15_2026;

function options(classes: readonly ClassName[], tolerated?: Tolerated): ModelOptions {
  return { ...BASELINE, ...Object.fromEntries(classes.map((name) => [name, true])), ...(tolerated ? { tolerated } : {}) };
}

describe('sync, model-based: commands drawn by fast-check against the real gateway and devices', function () {
  this.timeout(600_000);

  it('keeps every write, holds exactly the allowed set, and says up-to-date only when both sides agree (writes, admin writes, network faults)', async () => {
    await runModel(BASELINE, { numRuns: 12, seed: SEED, maxCommands: 12 });
  });

  const fixed = FAILING.filter((entry) => entry.fixed);
  it(`keeps the same guarantees with every class whose defect is fixed: ${[...new Set(fixed.flatMap((e) => e.with))].join(', ')} (${fixed.map((e) => e.finds).join('; ')})`, async () => {
    await runModel(options(fixed.flatMap((entry) => entry.with)), { numRuns: 30, seed: SEED, maxCommands: 12 });
  });

  for (const entry of FAILING.filter((e) => !e.fixed)) {
    // Each skipped class names the defect it still finds; `npm run test:model -- --only ...` runs it.
    it.skip(`keeps the same guarantees with ${entry.with.join(' and ')} (${entry.finds}; ${entry.found})`, async () => {
      await runModel(options(entry.with, entry.tolerated), { numRuns: 12, seed: SEED, maxCommands: 12 });
    });
  }
});
