/**
 * Fixes for four defects of express-pouchdb 4.2.0 and its plugins, applied to the module sources
 * as they are loaded, so nothing under node_modules is edited and no install script is needed.
 *
 * Each patch names the exact text it replaces and refuses to load when that text is not found
 * exactly as often as expected: a dependency upgrade then fails loudly instead of running unpatched.
 * docs/server.md explains each defect; test/embedded-server/defects.spec.ts proves each is fixed.
 */
import Module, { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One textual change to one dependency file. */
interface SourcePatch {
  /** Package-relative path, resolved from express-pouchdb's own location. */
  readonly file: string;
  /** Why the change is needed (shown when the patch no longer applies). */
  readonly why: string;
  readonly find: string;
  readonly replace: string;
  /** How many times `find` must occur (all are replaced). */
  readonly occurrences: number;
  /** Code placed before the module body, for helpers the replacement calls. */
  readonly prelude?: string;
}

const ADMIN_ONLY_SECURITY = JSON.stringify({
  admins: { names: [], roles: ['_admin'] },
  members: { names: [], roles: ['_admin'] },
});

const patches: readonly SourcePatch[] = [
  {
    file: 'pouchdb-validation/lib/index.js',
    why: 'replicated writes (new_edits=false) lost their revision history and were silently dropped on a database with a validate_doc_update',
    find: 'newDoc._revisions = (oldDoc || {})._revisions;',
    replace: 'if (!newDoc._revisions) { newDoc._revisions = (oldDoc || {})._revisions; }',
    occurrences: 1,
  },
  {
    file: 'express-pouchdb/lib/routes/changes.js',
    why: 'POST _changes?filter=_selector ignored the selector in the body, and the failure crashed the process',
    find: 'if (req.body && req.body.doc_ids) {',
    replace: 'if (req.body && req.body.selector) { req.query.selector = req.body.selector; }\n    if (req.body && req.body.doc_ids) {',
    occurrences: 1,
  },
  {
    file: 'pouchdb-changeslike-wrapper/lib/index.js',
    why: "an 'error' event nobody listened to (e.g. a filter naming a missing design doc) killed the process",
    find: 'var newResult = new events.EventEmitter();',
    // The same error also rejects the promise the route awaits, so it is still answered.
    replace: 'var newResult = new events.EventEmitter();\n  newResult.on("error", function () {});',
    occurrences: 1,
  },
  {
    file: 'express-pouchdb/lib/routes/db.js',
    why: 'a non-admin PUT /db crashed the process, and new databases were public (CouchDB 3 makes them admin-only)',
    find: 'req.PouchDB.new(name, utils.makeOpts(req))',
    replace: '__fieldsyncCreateDb(req, name, utils.makeOpts(req))',
    occurrences: 2,
    prelude: `
function __fieldsyncCreateDb(req, name, opts) {
  var db = req.PouchDB.new(name, opts);
  if (!db || typeof db.info !== 'function') {
    // Not an admin: the security wrapper refused; answer like CouchDB instead of crashing.
    if (db && typeof db.catch === 'function') { db.catch(function () {}); }
    return { info: function (cb) {
      var err = new Error('You are not a server admin.');
      err.name = 'unauthorized'; err.status = 401;
      cb(err);
    } };
  }
  // The route only calls info(cb) (and reads __opts on a leveldb retry): answer it once the
  // new database is admin-only, before the 201 reaches the client.
  return {
    __opts: db.__opts,
    info: function (cb) {
      db.info().then(function (result) {
        return db.putSecurity(${ADMIN_ONLY_SECURITY}).then(function () { cb(null, result); });
      }).catch(cb);
    },
  };
}
`,
  },
];

interface CompilableModule {
  filename: string;
  paths: string[];
  loaded: boolean;
  exports: unknown;
  _compile(source: string, filename: string): void;
}
interface ModuleInternals {
  _nodeModulePaths(dir: string): string[];
}

function countOccurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** Compiles the patched source and registers it so later `require` calls get it. */
function loadPatched(requireFn: NodeJS.Require, patch: SourcePatch): void {
  const filename = requireFn.resolve(patch.file);
  if (requireFn.cache[filename]?.loaded && (requireFn.cache[filename] as { fieldsyncPatched?: boolean }).fieldsyncPatched) return;
  const original = readFileSync(filename, 'utf8');
  const found = countOccurrences(original, patch.find);
  if (found !== patch.occurrences) {
    throw new Error(`embedded server: cannot patch ${patch.file} (${patch.why}): expected the text ${patch.occurrences} time(s), found ${found}`);
  }
  const source = (patch.prelude ?? '') + original.split(patch.find).join(patch.replace);
  const mod = new (Module as unknown as new (id: string) => CompilableModule)(filename);
  mod.filename = filename;
  mod.paths = (Module as unknown as ModuleInternals)._nodeModulePaths(path.dirname(filename));
  mod._compile(source, filename);
  mod.loaded = true;
  (mod as { fieldsyncPatched?: boolean }).fieldsyncPatched = true;
  requireFn.cache[filename] = mod as unknown as NodeJS.Module;
}

/**
 * Loads express-pouchdb with the four fixes applied and returns its factory.
 * Must run before anything else requires express-pouchdb or the patched plugins.
 */
export function loadPatchedExpressPouchDB(): unknown {
  const rootRequire = createRequire(import.meta.url);
  const fromExpressPouch = createRequire(rootRequire.resolve('express-pouchdb'));
  for (const patch of patches) loadPatched(fromExpressPouch, patch);
  return fromExpressPouch('express-pouchdb');
}
