import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Nano from 'nano';
import { testCouch, withCredentials } from '../support/server.js';
import { runCli, startServe } from './run.js';

describe('fieldsync serve', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fieldsync-serve-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps data across a restart (LevelDB under --data) and reuses the generated admin', async () => {
    const first = await startServe(['--port', '0', '--data', dir]);
    assert.match(first.output(), /admin account: admin \/ \S+/, 'generated credentials are printed once');
    const admin = JSON.parse(readFileSync(path.join(dir, 'admin.json'), 'utf8')) as { username: string; password: string };
    const couch = Nano(withCredentials(first.url, admin.username, admin.password));
    await couch.db.create('kept');
    await couch.use<{ note: string }>('kept').insert({ _id: 'doc-1', note: 'survives a restart' });
    assert.equal(await first.stop(), 0, 'Ctrl-C exits cleanly');

    const second = await startServe(['--port', '0', '--data', dir]);
    assert.doesNotMatch(second.output(), /admin account:/, 'credentials are not printed again');
    const again = Nano(withCredentials(second.url, admin.username, admin.password));
    const doc = await again.use<{ note: string }>('kept').get('doc-1');
    assert.equal(doc.note, 'survives a restart');
    assert.equal(await second.stop(), 0);
  });

  it('--cors ORIGIN... lets pages on those origins through the gateway: preflight answered, others refused', async () => {
    const served = await startServe(['--port', '0', '--memory', '--cors', 'http://localhost:5173', 'capacitor://localhost']);
    const preflight = (origin: string): Promise<Response> => fetch(`${served.url}/fieldsync/medic/_bulk_docs`, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' },
    });
    const allowed = await preflight('capacitor://localhost');
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'capacitor://localhost');
    assert.equal((await preflight('http://elsewhere.example')).status, 403);
    assert.equal(await served.stop(), 0);
  });

  it('says in one line that --cors is given something that is not an origin', async () => {
    const run = await runCli(['serve', '--port', '0', '--memory', '--cors', 'localhost:5173']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^fieldsync: --cors: "localhost:5173" is not an origin/);
  });

  it('says in one line that a port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const run = await runCli(['serve', '--memory', '--port', String(port)]);
    blocker.close();
    assert.equal(run.code, 2);
    assert.equal(run.stderr.trim(), `fieldsync: port ${port} is already in use`);
  });

  it('says in one line that the data dir is not writable', async function () {
    if (process.getuid?.() === 0) {
      // root writes anywhere: use a path under a regular file instead, which nobody can create.
      const file = path.join(dir, 'file');
      await import('node:fs').then((fs) => fs.writeFileSync(file, 'x'));
      const run = await runCli(['serve', '--port', '0', '--data', path.join(file, 'sub')]);
      assert.equal(run.code, 2);
      assert.match(run.stderr.trim(), /^fieldsync: data directory .* is not writable$/);
      return;
    }
    chmodSync(dir, 0o500);
    const run = await runCli(['serve', '--port', '0', '--data', path.join(dir, 'sub')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr.trim(), /^fieldsync: data directory .* is not writable$/);
  });
});

describe('fieldsync seed', function () {
  this.timeout(120_000);

  it('writes identical documents for one seed, and nothing the second time', async () => {
    const couch = await testCouch();
    const url = withCredentials(couch.url, couch.admin.username, couch.admin.password);
    const [a, b] = [couch.uniqueDbName('seed-a'), couch.uniqueDbName('seed-b')];
    const [phrA, phrB] = [couch.uniqueDbName('seed-phr-a'), couch.uniqueDbName('seed-phr-b')];
    const first = await runCli(['seed', url, '--db', a, '--phr-db', phrA, '--seed', '7', '--now', '2026-06-01', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const result = JSON.parse(first.stdout) as { written: number; phrWritten: number };
    assert.ok(result.written > 100);
    assert.ok(result.phrWritten > 60, 'PHR documents for the app users');
    const second = await runCli(['seed', url, '--db', b, '--phr-db', phrB, '--seed', '7', '--now', '2026-06-01', '--json']);
    assert.equal(second.code, 0, second.stderr);
    const nano = Nano(url);
    const docsOf = async (name: string) => (await nano.use(name).list({ include_docs: true })).rows.map((row) => {
      const { _rev: _ignored, ...doc } = row.doc as unknown as Record<string, unknown>;
      return doc;
    });
    assert.deepEqual(await docsOf(a), await docsOf(b));
    assert.deepEqual(await docsOf(phrA), await docsOf(phrB));
    const again = await runCli(['seed', url, '--db', a, '--phr-db', phrA, '--seed', '7', '--now', '2026-06-01', '--json']);
    assert.deepEqual((JSON.parse(again.stdout) as { written: number; phrWritten: number }), { ...JSON.parse(again.stdout), written: 0, phrWritten: 0 });
    const other = await runCli(['seed', url, '--db', couch.uniqueDbName('seed-c'), '--phr-db', couch.uniqueDbName('seed-phr-c'), '--seed', '8', '--now', '2026-06-01', '--json']);
    assert.equal(other.code, 0);
    await Promise.all([a, b, phrA, phrB].map((name) => nano.db.destroy(name)));
  });

  it('fails in one line on wrong credentials and on an unreachable server', async () => {
    const couch = await testCouch();
    const wrong = await runCli(['seed', withCredentials(couch.url, couch.admin.username, 'not-the-password')]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /^fieldsync: wrong credentials for http:\/\/\S+\n$/);
    const unreachable = await runCli(['seed', 'http://admin:pw@127.0.0.1:9']);
    assert.equal(unreachable.code, 2);
    assert.match(unreachable.stderr, /^fieldsync: cannot reach http:\/\/127\.0\.0\.1:9 .*\n$/);
    assert.doesNotMatch(unreachable.stderr, /\n\s+at /, 'no stack trace');
  });

  it('suggests --db NAME for a server URL that ends with a database path', async () => {
    const couch = await testCouch();
    const withDb = await runCli(['validate', `${couch.adminUrl}/medic`]);
    assert.equal(withDb.code, 2);
    assert.match(withDb.stderr, /^fieldsync: .*medic.*: give the server URL and --db medic\b.*\n$/);
  });
});

describe('fieldsync command line', () => {
  it('rejects an unknown command or option with a non-zero exit', async () => {
    const command = await runCli(['frobnicate']);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /unknown command 'frobnicate'/);
    const option = await runCli(['seed', 'http://x', '--bogus']);
    assert.equal(option.code, 2);
    assert.match(option.stderr, /unknown option '--bogus'/);
  });
});
