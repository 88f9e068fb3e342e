/** `fieldsync seed`: writes the deterministic data set through nano. */
import { isDeepStrictEqual } from 'node:util';
import type { DocumentScope } from 'nano';
import { generateDataSet } from '../seed/dataset.js';
import { phrDataSet } from '../seed/phr.js';
import type { SeedDoc, SeedSize } from '../seed/dataset.js';
import { connect, ensureDb } from './couch.js';
import { CliError } from './output.js';
import { startProgress } from './progress.js';
import type { OutputMode } from './progress.js';

/** What one seed run wrote. */
export interface SeedResult {
  readonly db: string;
  readonly written: number;
  readonly unchanged: number;
  readonly users: number;
  readonly phrDb: string;
  readonly phrWritten: number;
}

const BATCH = 1000;

/** App users of the PHR data set (password `<name>-pass`). */
const PHR_APP_USERS = ['asha', 'ravi', 'meera'];

function withoutRev(doc: Record<string, unknown>): Record<string, unknown> {
  const { _rev: _ignored, _attachments: _att, ...rest } = doc;
  return rest;
}

/**
 * Writes `docs`, skipping those already stored with the same content, so seeding twice with one
 * seed changes nothing. Returns how many were written.
 */
async function writeAll(db: DocumentScope<object>, docs: readonly SeedDoc[], onBatch: (n: number) => void): Promise<number> {
  let written = 0;
  for (let start = 0; start < docs.length; start += BATCH) {
    const batch = docs.slice(start, start + BATCH);
    const stored = await db.fetch({ keys: batch.map((d) => d._id) });
    const revs = new Map<string, Record<string, unknown>>();
    for (const row of stored.rows) {
      if ('doc' in row && row.doc) revs.set(row.id, row.doc as unknown as Record<string, unknown>);
    }
    const toWrite = batch.flatMap((doc) => {
      const current = revs.get(doc._id);
      if (!current) return [doc];
      const { _attachments: _a, ...comparable } = doc;
      if (isDeepStrictEqual(withoutRev(current), comparable)) return [];
      return [{ ...doc, _rev: current['_rev'] }];
    });
    if (toWrite.length > 0) {
      const results = await db.bulk({ docs: toWrite });
      const failed = results.filter((r) => r.error);
      if (failed.length > 0) throw new CliError(`${failed.length} documents were refused, first: ${failed[0]?.id} (${failed[0]?.error})`);
      written += toWrite.length;
    }
    onBatch(batch.length);
  }
  return written;
}

/** Options of the seed command. */
export interface SeedCommandOptions {
  readonly size: string;
  readonly seed: string;
  readonly db: string;
  /** The PHR database to write (testingdb). */
  readonly phrDb: string;
  readonly now?: string;
}

function startOfUtcDay(ms: number): number {
  return ms - (ms % 86_400_000);
}

/** Runs the seed command. */
export async function seed(url: string, options: SeedCommandOptions, mode: OutputMode, log: (line: string) => void): Promise<SeedResult> {
  if (!['small', 'medium', 'large'].includes(options.size)) throw new CliError(`unknown size ${options.size} (small, medium or large)`);
  const seedNumber = Number(options.seed);
  if (!Number.isInteger(seedNumber)) throw new CliError(`--seed must be an integer, got ${options.seed}`);
  const now = options.now === undefined ? startOfUtcDay(Date.now()) : Date.parse(options.now);
  if (Number.isNaN(now)) throw new CliError(`--now must be a date, got ${options.now}`);
  const { server, displayUrl } = await connect(url);
  const data = generateDataSet({ size: options.size as SeedSize, seed: seedNumber, now });
  await ensureDb(server, options.db);
  await ensureDb(server, '_users');
  const progress = startProgress(mode, `seeding ${options.db}`, data.medic.length, log);
  const medic = server.use<object>(options.db);
  const written = await writeAll(medic, data.medic, (n) => progress.advance(n));
  progress.done(`${options.db}: ${written} documents written, ${data.medic.length - written} already up to date (${displayUrl})`);
  const users = server.use<object>('_users');
  let usersWritten = 0;
  for (const user of data.users) {
    const existing = await users.get(user._id).catch(() => undefined);
    if (existing) continue; // passwords are hashed on write: an existing user is left as it is
    await users.insert(user);
    usersWritten += 1;
  }
  // The PHR database: a few app users with documents in every collection, and the catalogue.
  const phrUsers = PHR_APP_USERS.slice(0, options.size === 'small' ? 2 : 3);
  const phrDocs = phrDataSet(phrUsers);
  await ensureDb(server, options.phrDb);
  const phrWritten = await writeAll(server.use<object>(options.phrDb), phrDocs, () => undefined);
  for (const name of phrUsers) {
    const id = `org.couchdb.user:${name}`;
    if (await users.get(id).catch(() => undefined)) continue;
    await users.insert({ _id: id, type: 'user', name, password: `${name}-pass`, roles: ['phr-app'] } as object);
    usersWritten += 1;
  }
  if (mode !== 'json') {
    log(`${options.phrDb}: ${phrWritten} PHR documents written for app users ${phrUsers.join(', ')}`);
    log(`_users: ${usersWritten} users created (${[...data.credentials.map((c) => c.name), ...phrUsers].join(', ')})`);
  }
  return { db: options.db, written, unchanged: data.medic.length - written, users: usersWritten, phrDb: options.phrDb, phrWritten };
}
