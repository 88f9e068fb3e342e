/** The fixture corpus: test/fixtures/<kind>/{valid,invalid}/*.json. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type * as t from 'io-ts';
import { BaseDoc, FormDoc, Person, Place, Report, TargetDoc, TaskDoc, UserDoc, UserSettingsDoc } from '../../lib/codecs/index.js';
import type { DocKind } from '../../lib/codecs/index.js';

const root = path.resolve(import.meta.dirname, '..', 'fixtures');

/** An invalid fixture: the doc and the paths its problems must name. */
export interface InvalidFixture {
  readonly file: string;
  readonly description: string;
  readonly paths: readonly string[];
  readonly doc: unknown;
}

/** The codec of each kind, for encoding. */
export const CODECS: Readonly<Record<DocKind, t.Type<unknown, unknown, unknown>>> = {
  person: Person as t.Type<unknown, unknown, unknown>,
  place: Place as t.Type<unknown, unknown, unknown>,
  report: Report as t.Type<unknown, unknown, unknown>,
  form: FormDoc as t.Type<unknown, unknown, unknown>,
  user: UserDoc as t.Type<unknown, unknown, unknown>,
  'user-settings': UserSettingsDoc as t.Type<unknown, unknown, unknown>,
  task: TaskDoc as t.Type<unknown, unknown, unknown>,
  target: TargetDoc as t.Type<unknown, unknown, unknown>,
  deleted: BaseDoc as t.Type<unknown, unknown, unknown>,
  other: BaseDoc as t.Type<unknown, unknown, unknown>,
};

/** Kinds with a fixture folder. */
export const KINDS = readdirSync(root).filter((name) => name in CODECS) as DocKind[];

function files(kind: string, validity: 'valid' | 'invalid'): string[] {
  const dir = path.join(root, kind, validity);
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f));
}

/** Valid docs of a kind, by file name. */
export function validFixtures(kind: DocKind): Array<{ file: string; doc: Record<string, unknown> }> {
  return files(kind, 'valid').map((file) => ({ file: path.basename(file), doc: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> }));
}

/** Invalid docs of a kind, with the paths each must be rejected at. */
export function invalidFixtures(kind: DocKind): InvalidFixture[] {
  return files(kind, 'invalid').map((file) => ({ file: path.basename(file), ...(JSON.parse(readFileSync(file, 'utf8')) as Omit<InvalidFixture, 'file'>) }));
}
