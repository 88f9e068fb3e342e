/**
 * Patches that make express-pouchdb fit to face a network (issue 14): a hook where the admin gate
 * goes, no request that poisons or kills the process, strong password hashes checked in constant
 * time, and `SameSite` on the session cookie. docs/server.md lists each with its cause.
 */
import type { SourcePatch } from './patches.js';
import { createPasswordVerifier, hashPassword, PASSWORD_ITERATIONS, PASSWORD_PRF } from './passwords.js';

const COOKIE_OPTIONS = "{httpOnly: true, sameSite: 'lax'}";

/** The hardening patches; their password functions share one verification cache. */
export function hardeningPatches(): readonly SourcePatch[] {
  return [
    {
      file: 'express-pouchdb/lib/index.js',
      why: 'the admin gate must run right after authentication, before any route',
      // Without `afterAuthentication` this throws while the app is built: no server runs ungated.
      edits: [{ find: "      require('./' + file)(app);", replace: "      require('./' + file)(app);\n      if (file === 'routes/authentication') { app.opts.afterAuthentication(app); }", occurrences: 1 }],
    },
    {
      file: 'express-pouchdb/lib/create-or-delete-dbs.js',
      why: 'one refused DELETE /db rejected the global queue of database opens, so every later request failed or crashed the process',
      edits: [{ find: 'promiseChain = promiseChain.then(fun);\n  return promiseChain;', replace: 'var result = promiseChain.then(fun);\n  promiseChain = result.catch(function () {});\n  return result;', occurrences: 1 }],
    },
    {
      file: 'express-pouchdb/lib/utils.js',
      why: 'a database that failed to open left an unhandled rejection and a request never answered',
      edits: [{
        find: '      dbWrapper.wrap(dbName, db).then(function () {\n        req.db = db;\n        next();\n      });\n    });',
        replace: '      return dbWrapper.wrap(dbName, db).then(function () {\n        req.db = db;\n        next();\n      });\n    }).catch(function (err) {\n      if (!res.headersSent) { exports.sendError(res, err); }\n    });',
        occurrences: 1,
      }],
    },
    {
      file: 'pouchdb-system-db/lib/index.js',
      why: 'GET /_users/<x>/<y> threw (the attachment wrapper named a function that does not exist) and left an unhandled rejection; the check read args.db, which is undefined',
      edits: [
        { find: 'systemWrappers.getAttachment = wrappers.get;', replace: 'systemWrappers.getAttachment = systemWrappers.get;', occurrences: 1 },
        { find: 'return args.db.getSecurity()', replace: 'return args.base.getSecurity()', occurrences: 1 },
      ],
    },
    {
      file: 'pouchdb-auth/lib/utils.js',
      why: 'passwords were hashed with 10 iterations of a JavaScript PBKDF2 that blocks the event loop',
      edits: [
        { find: 'exports.hashPassword = function (password, salt, iterations) {', replace: 'exports.javascriptHashPassword = function (password, salt, iterations) {', occurrences: 1 },
        { find: 'return args.opts.iterations || 10;', replace: `return args.opts.iterations || ${PASSWORD_ITERATIONS};`, occurrences: 1 },
      ],
      provide: { hashPassword, verifyPassword: createPasswordVerifier() },
    },
    {
      file: 'pouchdb-auth/lib/sessionapi.js',
      why: 'the derived key was compared with !== (timing leak) and derived anew on every request',
      edits: [{
        find: '    return utils.hashPassword(password, userDoc.salt, userDoc.iterations);\n  }).then(function (derived_key) {\n    if (derived_key !== userDoc.derived_key) {',
        replace: '    return utils.verifyPassword(password, userDoc);\n  }).then(function (valid) {\n    if (!valid) {',
        occurrences: 1,
      }],
    },
    {
      file: 'pouchdb-auth/lib/writewrappers.js',
      why: `new hashes are PBKDF2-${PASSWORD_PRF}, recorded in pbkdf2_prf as CouchDB 3.4 does`,
      edits: [
        { find: "doc.password_scheme = 'pbkdf2';", replace: `doc.password_scheme = 'pbkdf2';\n    doc.pbkdf2_prf = '${PASSWORD_PRF}';`, occurrences: 1 },
        { find: 'utils.hashPassword(doc.password, doc.salt, doc.iterations)', replace: 'utils.hashPassword(doc.password, doc.salt, doc.iterations, doc.pbkdf2_prf)', occurrences: 1 },
      ],
    },
    {
      file: 'express-pouchdb/lib/routes/authentication.js',
      why: 'the configured iteration count was 10, and the refreshed session cookie had no SameSite',
      edits: [
        { find: "registerDefault(SECTION, 'iterations', 10);", replace: `registerDefault(SECTION, 'iterations', ${PASSWORD_ITERATIONS});`, occurrences: 1 },
        { find: 'var cookieOptions = {httpOnly: true};', replace: `var cookieOptions = ${COOKIE_OPTIONS};`, occurrences: 1 },
      ],
    },
    {
      file: 'express-pouchdb/lib/routes/session.js',
      why: 'the session cookie had no SameSite, so other sites could send it along',
      edits: [
        { find: "res.cookie('AuthSession', resp.sessionID, {httpOnly: true});", replace: `res.cookie('AuthSession', resp.sessionID, ${COOKIE_OPTIONS});`, occurrences: 1 },
        { find: "res.clearCookie('AuthSession');", replace: `res.clearCookie('AuthSession', ${COOKIE_OPTIONS});`, occurrences: 1 },
      ],
    },
  ];
}
