/**
 * Fixes for defects of express-pouchdb 4.2.0 and its plugins, applied to the module sources as
 * they are loaded, so nothing under node_modules is edited and no install script is needed: the
 * four found when it was chosen here, and the hardening of hardening.ts.
 *
 * Each patch names the exact text it replaces and refuses to load when that text is not found
 * exactly as often as expected: a dependency upgrade then fails loudly instead of running unpatched.
 * docs/server.md explains each defect; test/embedded-server/defects.spec.ts and
 * test/security/server-*.spec.ts prove each is fixed.
 */
import Module, { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hardeningPatches } from './hardening.js';

/** One textual change: `find` must occur exactly `occurrences` times, and every occurrence is replaced. */
export interface SourceEdit {
  readonly find: string;
  readonly replace: string;
  readonly occurrences: number;
}

/** The changes to one dependency file. */
export interface SourcePatch {
  /** Package-relative path, resolved from express-pouchdb's own location. */
  readonly file: string;
  /** Why the change is needed (shown when the patch no longer applies). */
  readonly why: string;
  readonly edits: readonly SourceEdit[];
  /** Code placed before the module body, for helpers the replacement calls. */
  readonly prelude?: string;
  /** Values set on the module's exports once it is loaded (functions the patched code calls). */
  readonly provide?: Readonly<Record<string, unknown>>;
}

const ADMIN_ONLY_SECURITY = JSON.stringify({
  admins: { names: [], roles: ['_admin'] },
  members: { names: [], roles: ['_admin'] },
});

/** The four defects found when the embedded server was chosen (docs/server.md, first table). */
const defectPatches: readonly SourcePatch[] = [
  {
    file: 'pouchdb-validation/lib/index.js',
    why: 'replicated writes (new_edits=false) lost their revision history and were silently dropped on a database with a validate_doc_update',
    edits: [{ find: 'newDoc._revisions = (oldDoc || {})._revisions;', replace: 'if (!newDoc._revisions) { newDoc._revisions = (oldDoc || {})._revisions; }', occurrences: 1 }],
  },
  {
    file: 'pouchdb-changeslike-wrapper/lib/index.js',
    why: "an 'error' event nobody listened to (e.g. a filter naming a missing design doc), or its rejected promise, killed the process",
    edits: [
      // The same error also rejects the promise the route awaits, so it is still answered.
      { find: 'var newResult = new events.EventEmitter();', replace: 'var newResult = new events.EventEmitter();\n  newResult.on("error", function () {});', occurrences: 1 },
      // Callers that only listen for events (the continuous feed) never handled the promise.
      { find: 'newResult.then = promise.then.bind(promise);', replace: 'if (promise && typeof promise.catch === "function") { promise.catch(function () {}); }\n  newResult.then = promise.then.bind(promise);', occurrences: 1 },
    ],
  },
  {
    file: 'express-pouchdb/lib/routes/changes.js',
    why: 'POST _changes?filter=_selector ignored the body; a continuous feed refused by the security check crashed the process, and one whose client left ran on; a longpoll whose client left kept its heartbeat timer (and the process) alive',
    edits: [
      {
        // A client that leaves a longpoll before its first check ends never reached the socket listener:
        // the heartbeat then ran until the next change, and kept a process that closed its server alive.
        find: `      var cleanup = function () {
        if (heartbeatInterval) {
          clearInterval(heartbeatInterval);
        }
      };`,
        replace: `      var cleanup = function () {
        if (heartbeatInterval) {
          clearInterval(heartbeatInterval);
        }
      };
      res.on('close', cleanup);`,
        occurrences: 1,
      },
      {
        find: "            req.connection.on('close', cancelChanges);",
        replace: "            req.connection.on('close', cancelChanges);\n            if (res.destroyed || req.socket.destroyed) { cancelChanges(); cleanup(); }",
        occurrences: 1,
      },
      {
        find: 'if (req.body && req.body.doc_ids) {',
        replace: 'if (req.body && req.body.selector) { req.query.selector = req.body.selector; }\n    if (req.body && req.body.doc_ids) {',
        occurrences: 1,
      },
      {
        // The original listened for events only: a refusal arrives as a rejected promise and no event.
        find: `        req.db.changes(req.query).on('change', function (change) {
          written = true;
          utils.writeJSON(res, change);
        }).on('error', function (err) {
          if (!written) {
            utils.sendError(res, err);
          } else {
            res.end();
          }
          cleanup();
        });`,
        replace: `        var feed = req.db.changes(req.query);
        var ended = false;
        var endFeed = function (err) {
          if (ended) { return; }
          ended = true;
          if (!written && !res.headersSent) { utils.sendError(res, err); } else { res.end(); }
          cleanup();
        };
        if (typeof feed.catch === 'function') { feed.catch(endFeed); }
        res.on('close', function () {
          ended = true;
          if (typeof feed.cancel === 'function') { feed.cancel(); }
          cleanup();
        });
        feed.on('change', function (change) {
          written = true;
          utils.writeJSON(res, change);
        }).on('error', endFeed);`,
        occurrences: 1,
      },
    ],
  },
  {
    file: 'express-pouchdb/lib/routes/db.js',
    why: 'a non-admin PUT /db crashed the process, and new databases were public (CouchDB 3 makes them admin-only)',
    edits: [{ find: 'req.PouchDB.new(name, utils.makeOpts(req))', replace: '__fieldsyncCreateDb(req, name, utils.makeOpts(req))', occurrences: 2 }],
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
  let source = readFileSync(filename, 'utf8');
  for (const edit of patch.edits) {
    const found = countOccurrences(source, edit.find);
    if (found !== edit.occurrences) {
      throw new Error(`embedded server: cannot patch ${patch.file} (${patch.why}): expected the text ${edit.occurrences} time(s), found ${found}`);
    }
    source = source.split(edit.find).join(edit.replace);
  }
  source = (patch.prelude ?? '') + source;
  const mod = new (Module as unknown as new (id: string) => CompilableModule)(filename);
  mod.filename = filename;
  mod.paths = (Module as unknown as ModuleInternals)._nodeModulePaths(path.dirname(filename));
  mod._compile(source, filename);
  Object.assign(mod.exports as object, patch.provide ?? {});
  mod.loaded = true;
  (mod as { fieldsyncPatched?: boolean }).fieldsyncPatched = true;
  requireFn.cache[filename] = mod as unknown as NodeJS.Module;
}

/**
 * Loads express-pouchdb with the fixes applied and returns its factory. The first call patches;
 * later ones return the same modules. Must run before anything else requires express-pouchdb or
 * the patched plugins.
 */
export function loadPatchedExpressPouchDB(): unknown {
  const rootRequire = createRequire(import.meta.url);
  const fromExpressPouch = createRequire(rootRequire.resolve('express-pouchdb'));
  for (const patch of [...defectPatches, ...hardeningPatches()]) loadPatched(fromExpressPouch, patch);
  return fromExpressPouch('express-pouchdb');
}
