/**
 * A CHT project's own configuration files (`tasks.js`, `targets.js` and the files they require, such
 * as `nools-extras.js`), run unchanged. cht-conf bundles them and cht-core runs the bundle with
 * `Utils` (cht-nootils), `user` (the user's contact) and `cht` (the script API) in scope, afresh for
 * each contact. {@link chtConfigModule} does the same: each file is compiled once, and every call
 * of the factory it returns evaluates the files again with the globals given, so module state (a
 * `today` computed on load) is as fresh as cht-core's.
 */
import { FieldsyncTaskError } from './errors.js';

/** The globals cht-core gives a `tasks.js`/`targets.js`. */
export interface ChtGlobals {
  /** cht-nootils, as `require('cht-nootils')(settings)` gives it (`addDate`, `isFormSubmittedInWindow`, `now`…). */
  readonly Utils?: unknown;
  /** The logged-in user's contact document (hydrated). */
  readonly user?: unknown;
  /** The CHT script API (`cht.v1.hasPermissions`, `cht.v1.hasAnyPermission`). */
  readonly cht?: unknown;
}

/** A project's files by name (`'tasks.js'`, `'nools-extras.js'`), as text. */
export type ChtConfigFiles = Readonly<Record<string, string>>;

/** Options of {@link chtConfigModule}. */
export interface ChtConfigOptions {
  /** Packages a file may `require` by name (`moment`, say), given by the app. */
  readonly packages?: Readonly<Record<string, unknown>>;
}

type Compiled = (module: { exports: unknown }, exports: unknown, require: (name: string) => unknown, Utils: unknown, user: unknown, cht: unknown) => void;

function fileName(name: string): string {
  const bare = name.replace(/^\.\//, '');
  return bare.endsWith('.js') || bare.endsWith('.json') ? bare : `${bare}.js`;
}

function configError(file: string, reason: string): FieldsyncTaskError {
  return new FieldsyncTaskError([{ kind: 'invalid-cht-config', file, reason }]);
}

/**
 * A factory for what `entry` exports, given the globals: each call evaluates `entry` and the files
 * it requires (relative names, `./nools-extras` or `nools-extras.js`) afresh with `Utils`, `user`
 * and `cht` in scope, as cht-core does. Pass it to `definitionRule` (for `tasks.js`) or
 * `targetRule` (for `targets.js`).
 * @throws {@link FieldsyncTaskError} `invalid-cht-config` when a file is missing or does not compile;
 *   the factory throws it when a file throws while it is evaluated or requires an unknown module.
 */
export function chtConfigModule<T = unknown>(files: ChtConfigFiles, entry: string, options: ChtConfigOptions = {}): (globals: ChtGlobals) => T {
  const compiled = new Map<string, Compiled>();
  for (const [name, text] of Object.entries(files)) {
    if (!name.endsWith('.js')) continue;
    try {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a CHT config is code, run as cht-core runs it
      compiled.set(fileName(name), new Function('module', 'exports', 'require', 'Utils', 'user', 'cht', text) as Compiled);
    } catch (err) {
      throw configError(name, `does not compile: ${(err as Error).message}`);
    }
  }
  const start = fileName(entry);
  if (!compiled.has(start)) throw configError(entry, 'is not among the files given');
  return (globals) => {
    const loaded = new Map<string, { exports: unknown }>();
    const load = (name: string): unknown => {
      const file = fileName(name);
      const done = loaded.get(file);
      if (done) return done.exports;
      if (file.endsWith('.json') && files[file] !== undefined) return JSON.parse(files[file]) as unknown;
      const run = compiled.get(file);
      if (!run) {
        if (options.packages && Object.hasOwn(options.packages, name)) return options.packages[name];
        throw configError(name, 'is required but is neither a file given nor a package in options.packages');
      }
      const module = { exports: {} as unknown };
      loaded.set(file, module);
      try {
        run(module, module.exports, load, globals.Utils, globals.user, globals.cht);
      } catch (err) {
        if (err instanceof FieldsyncTaskError) throw err;
        const missing = (['Utils', 'user', 'cht'] as const).filter((g) => globals[g] === undefined);
        const hint = missing.length > 0 ? ` (globals not given: ${missing.join(', ')})` : '';
        throw configError(file, `threw while loading: ${(err as Error).message}${hint}`);
      }
      return module.exports;
    };
    return load(start) as T;
  };
}
