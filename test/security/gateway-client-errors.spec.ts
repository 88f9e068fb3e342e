import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assertRefused, attackWorld, serverState } from './gateway-attacker.js';
import type { AttackWorld, Who } from './gateway-attacker.js';

function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

describe('gateway: client errors are 4xx in CouchDB\'s format, never 5xx', function () {
  this.timeout(120_000);
  let w: AttackWorld;
  let attacker: Who;
  before(async () => {
    w = await attackWorld({ maxWaitMs: 200 });
    const me = w.world.user('chw11');
    attacker = { name: me.name, password: me.password };
  });
  after(async () => { await w.stop(); });

  const paths = ['%E0%A4%A/_fieldsync/ids', '{db}/%ZZ', '{db}/_local/%E0%A4%A', '{db}/_local/%', '%/_bulk_get'];
  for (const path of paths) {
    it(`refuses malformed percent-encoding in ${path} with 400`, async () => {
      for (const who of [attacker, undefined]) {
        const answer = await w.request(who, 'GET', `${w.origin}/${path.replace('{db}', encodeURIComponent(w.world.db))}`);
        assertRefused(answer, 400, 'bad_request');
      }
    });
  }

  it('refuses deeply nested bodies with 400 on every JSON endpoint, writing nothing', async () => {
    const me = w.world.user('chw11');
    const checkpoint = `_local/fieldsync~${me.name}~deep`;
    const before = await serverState(w.world, [checkpoint]);
    const deep = nested(50_000);
    const bodies: Array<[string, string, string]> = [
      ['POST', '_bulk_docs', `{"docs":[{"_id":"deep-1","type":"data_record","contact":{"_id":"${me.contactId}"},"fields":${deep}}]}`],
      ['PUT', '_local/deep', `{"x":${deep}}`],
      ['POST', '_revs_diff', `{"a":${deep}}`],
      ['POST', '_bulk_get', `{"docs":${deep}}`],
      ['POST', '_fieldsync/gone', `{"docs":${deep}}`],
    ];
    for (const [method, path, body] of bodies) {
      const answer = await w.request(attacker, method, path, { body, contentType: 'application/json' });
      assertRefused(answer, 400, 'bad_request');
    }
    assert.deepEqual(await serverState(w.world, [checkpoint]), before);
  });

  const badBulkGet: unknown[] = [[1, 2], 'docs', 5, null, { docs: 'x' }, { docs: [1] }, { docs: [null] }, { docs: [{ id: 5 }] }, { docs: [{ id: 'a', rev: 5 }] },
    { docs: [{ id: 'a', atts_since: 'x' }] }, {}];
  for (const body of badBulkGet) {
    it(`refuses the _bulk_get body ${JSON.stringify(body)} with 400`, async () => {
      assertRefused(await w.json(attacker, 'POST', '_bulk_get', body), 400, 'bad_request');
    });
  }

  const badOthers: Array<[string, string, unknown]> = [
    ['PUT', '_local/x', [1]], ['PUT', '_local/x', 'text'], ['PUT', '_local/x', 7],
    ['POST', '_revs_diff', [1]], ['POST', '_revs_diff', { a: 'x' }], ['POST', '_revs_diff', { a: [5] }], ['POST', '_revs_diff', 'x'],
  ];
  for (const [method, path, body] of badOthers) {
    it(`refuses ${method} ${path} with the body ${JSON.stringify(body)} with 400`, async () => {
      assertRefused(await w.json(attacker, method, path, body), 400, 'bad_request');
    });
  }

  it('never answers 5xx or hangs, and changes nothing, for arbitrary paths, methods and bodies (fuzz)', async () => {
    const me = w.world.user('chw11');
    const before = await serverState(w.world);
    const segment = fc.oneof(
      fc.constantFrom('_fieldsync', 'ids', 'gone', 'changes', '_bulk_get', '_bulk_docs', '_revs_diff', '_local', '', '%', '%zz', '%E0%A4', '..', '_all_docs', '_changes'),
      fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
      fc.string({ maxLength: 6 }),
    );
    const query = fc.array(fc.tuple(fc.constantFrom('since', 'timeout', 'latest', 'revs', 'attachments', 'rev', 'x'), fc.string({ maxLength: 8 })), { maxLength: 3 })
      .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : ''));
    const json = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.record({ docs: fc.array(fc.record({ id: fc.oneof(fc.string(), fc.integer()), rev: fc.oneof(fc.string(), fc.constant(undefined)) }), { maxLength: 3 }) })
        .map((v) => JSON.stringify(v)),
      fc.integer({ min: 1, max: 3000 }).map((d) => `{"docs":[{"_id":"fz","x":${nested(d)}}]}`),
      fc.string({ maxLength: 20 }),
    );
    await fc.assert(fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH'),
      fc.boolean(), fc.array(segment, { minLength: 0, maxLength: 4 }), query, fc.option(json), fc.constantFrom('application/json', 'text/plain', undefined),
      async (method, inDb, segments, qs, body, contentType) => {
        const path = `${inDb ? `${encodeURIComponent(w.world.db)}/` : ''}${segments.join('/')}${qs}`;
        const withBody = body !== null && !['GET', 'HEAD'].includes(method);
        const answer = await w.request({ name: me.name, password: me.password }, method, `${w.origin}/${path}`, {
          signal: AbortSignal.timeout(10_000), ...(withBody ? { body, ...(contentType ? { contentType } : {}) } : {}),
        });
        assert.ok(answer.status < 500, `${method} /${path} ${withBody ? body.slice(0, 80) : ''} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
      },
    ), { seed: 1414, numRuns: 300 });
    // The fuzz may have written the user's own checkpoints, never a document.
    assert.deepEqual(await serverState(w.world), before);
  });
});
