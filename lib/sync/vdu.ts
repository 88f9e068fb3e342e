/**
 * The opening every fieldsync `validate_doc_update` shares (ES5, inlined into each design doc's
 * source): database and server admins bypass the rules, as CouchDB's own admins do, and anonymous
 * writers are refused.
 */
export const VDU_PREAMBLE = `  var roles = userCtx.roles || [];
  if (roles.indexOf('_admin') !== -1) return;
  var admins = (secObj && secObj.admins) || {};
  if ((admins.names || []).indexOf(userCtx.name) !== -1) return;
  for (var r = 0; r < roles.length; r++) if ((admins.roles || []).indexOf(roles[r]) !== -1) return;
  if (!userCtx.name) throw({ unauthorized: 'you must be logged in' });`;
