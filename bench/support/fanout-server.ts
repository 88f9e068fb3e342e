/**
 * The server side of bench/sync-fanout.ts (a helper, not a bench), in its own process so its CPU is its own: the embedded
 * server and the sync gateway, over a database of 100 areas (a household each: 3 people, 12 reports)
 * with one CHW user per area. Sends `{gatewayUrl, couchUrl, users}` once listening; answers every
 * message with `process.cpuUsage()`.
 */
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import Nano from 'nano';
import { startEmbeddedServer } from '../../lib/embedded-server/index.js';
import { hashPassword } from '../../lib/embedded-server/passwords.js';
import { chtAccessRules } from '../../lib/cht/rules.js';
import { createSyncGateway, gatewayDatabase } from '../../lib/sync/gateway/index.js';

const AREAS = 100;
const NOW = Date.UTC(2026, 10, 1);
const admin = { username: 'admin', password: randomBytes(8).toString('hex') };
const server = await startEmbeddedServer({ admin, storage: { kind: 'memory', namespace: 'bench-fanout' } });
const nano = Nano(server.url.replace('//', `//${admin.username}:${admin.password}@`));
await nano.db.create('medic');
await nano.db.create('_users').catch(() => undefined);

const centre = { _id: 'centre', type: 'health_center', name: 'Centre', reported_date: NOW };
const docs: Array<Record<string, unknown> & { _id: string }> = [centre];
const users: Array<{ name: string; password: string; contactId: string }> = [];
for (let a = 0; a < AREAS; a += 1) {
  const area = { _id: `area-${a}`, type: 'clinic', name: `Area ${a}`, parent: { _id: centre._id }, reported_date: NOW };
  docs.push(area);
  const people = [0, 1, 2].map((p) => ({ _id: `person-${a}-${p}`, type: 'person', name: `Person ${a}.${p}`, parent: { _id: area._id, parent: { _id: centre._id } }, reported_date: NOW }));
  docs.push(...people);
  for (let r = 0; r < 12; r += 1) {
    docs.push({ _id: `report-${a}-${r}`, type: 'data_record', form: 'home_visit', reported_date: NOW, contact: { _id: people[0]!._id }, fields: { patient_uuid: people[r % 3]!._id } });
  }
  const name = `fan${a}`;
  users.push({ name, password: `${name}-pass`, contactId: people[0]!._id });
  docs.push({ _id: `org.couchdb.user:${name}`, type: 'user-settings', name, facility_id: area._id, contact_id: people[0]!._id, roles: ['chw'], known: true });
}
await nano.use('medic').bulk({ docs });
// Hashed here with few iterations: 100 logins at the server's 600,000 would dominate the run.
for (const user of users) {
  const salt = randomBytes(16).toString('hex');
  await nano.use('_users').insert({
    _id: `org.couchdb.user:${user.name}`, type: 'user', name: user.name, roles: ['chw'],
    password_scheme: 'pbkdf2', pbkdf2_prf: 'sha256', iterations: 10, salt, derived_key: await hashPassword(user.password, salt, 10, 'sha256'),
  } as never);
}

const gateway = createSyncGateway({ couchUrl: server.url, admin, databases: { medic: gatewayDatabase(chtAccessRules()) }, maxWaitMs: 120_000 });
await gateway.install();
const http = createServer((req, res) => gateway(req, res));
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const gatewayUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}/medic`;
const first = users[0]!;
// Builds the views before anything is measured.
await (await fetch(`${gatewayUrl}/_fieldsync/ids`, { headers: { authorization: `Basic ${btoa(`${first.name}:${first.password}`)}` } })).arrayBuffer();
process.on('message', () => process.send?.(process.cpuUsage()));
process.once('disconnect', () => process.exit(0));
process.send?.({ gatewayUrl, couchUrl: server.url.replace('//', `//${admin.username}:${admin.password}@`), users });
