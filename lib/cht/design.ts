/**
 * The design doc the CHT rules install: the views the gateway queries and a `validate_doc_update` so
 * direct writes obey what can be checked from a document and the writer alone. The sources are
 * ES5 so they run in every CouchDB JavaScript engine and in PouchDB; `test/cht/rules.spec.ts`
 * checks that the views file documents exactly as {@link chtReplicationKeys} and {@link privateFiling} do.
 */
import { CONTACT_TYPES } from '../lineage/shapes.js';
import { USER_ID_PREFIX } from '../codecs/ids.js';
import { PRIVATE_KEY_PREFIX } from './keys.js';
import type { PublicDocs } from './keys.js';
import type { AnyDoc } from '../sync/rules.js';
import { LISTED_VALUE } from '../sync/view-value.js';
import { VDU_PREAMBLE } from '../sync/vdu.js';

/** Id of the design doc holding the CHT sync views and validation. */
export const CHT_DESIGN_ID = '_design/fieldsync-sync';

/** `[ancestorId]` and `[ancestorId, depth]` for a contact and each of its ancestors; value: its shortcode. */
function contactsByDepthMap(): string {
  return `function (doc) {
  var types = ${JSON.stringify([...CONTACT_TYPES])};
  if (types.indexOf(doc.type) === -1) return;
  var shortcode = doc.patient_id || doc.place_id || null;
  var seen = {};
  var node = doc;
  var depth = 0;
  while (node && node._id && !seen[node._id] && depth < 100) {
    seen[node._id] = true;
    emit([node._id], shortcode);
    emit([node._id, depth], shortcode);
    node = node.parent;
    depth++;
  }
}`;
}

/** ES5 helpers shared by the views: the same reading of report fields as `keys.ts`. */
const VIEW_HELPERS = `  function str(v) { return typeof v === 'string' && v !== '' ? v : undefined; }
  function get(o, k) { return o !== null && typeof o === 'object' ? o[k] : undefined; }
  function flag(v) { return v === true || v === 'true'; }
  function subject() {
    var author = str(get(doc.contact, '_id'));
    var errors = Array.isArray(doc.errors) ? doc.errors : [];
    for (var i = 0; i < errors.length; i++) {
      var code = String(get(errors[i], 'code'));
      if ((code === 'registration_not_found' || code === 'invalid_patient_id') && author) return author;
    }
    return str(doc.patient_id) || str(get(doc.fields, 'patient_id')) || str(doc.place_id) ||
      str(get(doc.fields, 'place_id')) || str(doc.patient_uuid) || str(get(doc.fields, 'patient_uuid')) || author;
  }
  function reportKeys() {
    var keys = [subject() || '_unassigned'];
    if (flag(get(doc.fields, 'needs_signoff'))) {
      var node = doc.contact;
      for (var level = 0; level < 100 && node !== null && typeof node === 'object'; level++) {
        var id = str(get(node, '_id'));
        if (id && keys.indexOf(id) === -1) keys.push(id);
        node = get(node, 'parent');
      }
    }
    return keys;
  }
  function isPrivate() {
    return doc.type === 'data_record' && flag(get(doc.fields, 'private')) && !!doc.form && !!str(get(doc.contact, '_id'));
  }`;

/** One row per replication key of a document; value: its current revision. */
function replicationKeysMap(publicDocs: PublicDocs): string {
  return `function (doc) {
  var contactTypes = ${JSON.stringify([...CONTACT_TYPES])};
  var publicTypes = ${JSON.stringify(publicDocs.types)};
  var publicIds = ${JSON.stringify(publicDocs.ids)};
${VIEW_HELPERS}
${LISTED_VALUE}
  if (doc._id.indexOf('_design/') === 0) return;
  if (doc._id.indexOf('${USER_ID_PREFIX}') === 0) { if (doc.type === 'user-settings') emit(doc._id, listed); return; }
  if (publicIds.indexOf(doc._id) !== -1 || (typeof doc.type === 'string' && publicTypes.indexOf(doc.type) !== -1)) {
    emit('_all', listed); return;
  }
  if (contactTypes.indexOf(doc.type) !== -1) { emit(doc._id, listed); return; }
  if (doc.type === 'data_record') {
    if (isPrivate()) { emit('${PRIVATE_KEY_PREFIX}' + doc._id, listed); return; }
    var keys = reportKeys();
    for (var k = 0; k < keys.length; k++) emit(keys[k], listed);
    return;
  }
  if (doc.type === 'task' && typeof doc.user === 'string') { emit(doc.user, listed); return; }
  if (doc.type === 'target' && typeof doc.owner === 'string') { emit(doc.owner, listed); return; }
}`;
}

/** Every private report under each key it would have; value: `[subject, submitter]`. */
function privateReportsMap(): string {
  return `function (doc) {
${VIEW_HELPERS}
  if (!isPrivate()) return;
  var keys = reportKeys();
  for (var k = 0; k < keys.length; k++) emit(keys[k], [keys[0], doc.contact._id]);
}`;
}

/** Every contact under its id and under its shortcode: who holds a key a pushed contact claims. */
function contactKeysMap(): string {
  return `function (doc) {
  var types = ${JSON.stringify([...CONTACT_TYPES])};
  if (types.indexOf(doc.type) === -1) return;
  emit(doc._id, null);
  var code = typeof doc.patient_id === 'string' && doc.patient_id !== '' ? doc.patient_id
    : typeof doc.place_id === 'string' && doc.place_id !== '' ? doc.place_id : null;
  if (code !== null && code !== doc._id) emit(code, null);
}`;
}

/** Rejects what is wrong from the document and the writer alone; database admins bypass it. */
function validateDocUpdate(publicDocs: PublicDocs): string {
  return `function (newDoc, oldDoc, userCtx, secObj) {
  var publicTypes = ${JSON.stringify(publicDocs.types)};
  var publicIds = ${JSON.stringify(publicDocs.ids)};
${VDU_PREAMBLE}
  function isPublic(doc) { return doc && (publicIds.indexOf(doc._id) !== -1 || publicTypes.indexOf(doc.type) !== -1); }
  if (newDoc.purged) throw({ forbidden: 'a document purged on a device is never written to the server' });
  if (isPublic(newDoc) || isPublic(oldDoc)) throw({ forbidden: 'only admins write ' + newDoc._id });
  var me = '${USER_ID_PREFIX}' + userCtx.name;
  var parts = newDoc._id.split('~');
  if (parts[0] === 'task' && parts.length > 1 && parts[1] !== me) throw({ forbidden: 'a task id names its user: ' + newDoc._id + ' is not yours' });
  if (parts[0] === 'target' && parts.length > 1 && (parts.length < 4 || parts[parts.length - 1] !== me)) {
    throw({ forbidden: 'a target id names its user: ' + newDoc._id + ' is not yours' });
  }
  if ((newDoc.type === 'task' && newDoc.user !== me) || (oldDoc && oldDoc.type === 'task' && oldDoc.user !== me)) {
    throw({ forbidden: 'a task belongs to the user in its user field' });
  }
  if ((newDoc.type === 'target' && newDoc.user !== me) || (oldDoc && oldDoc.type === 'target' && oldDoc.user !== me)) {
    throw({ forbidden: 'a target belongs to the user in its user field' });
  }
  if (newDoc._id.indexOf('${USER_ID_PREFIX}') === 0 || newDoc.type === 'user-settings' || (oldDoc && oldDoc.type === 'user-settings')) {
    if (newDoc._id !== me) throw({ forbidden: 'users write only their own user-settings' });
    if (!oldDoc || oldDoc.type !== 'user-settings') throw({ forbidden: 'user-settings are created by admins' });
    if (newDoc._deleted) throw({ forbidden: 'user-settings are deleted by admins' });
    if (newDoc.type !== 'user-settings') throw({ forbidden: 'user-settings stay user-settings' });
    var fixed = ['name', 'roles', 'facility_id', 'contact_id'];
    for (var i = 0; i < fixed.length; i++) {
      if (JSON.stringify(newDoc[fixed[i]]) !== JSON.stringify(oldDoc[fixed[i]])) throw({ forbidden: 'only admins change ' + fixed[i] });
    }
  }
}`;
}

/** The design doc for a set of public docs. */
export function chtDesignDoc(publicDocs: PublicDocs): AnyDoc {
  return {
    _id: CHT_DESIGN_ID,
    language: 'javascript',
    views: {
      contacts_by_depth: { map: contactsByDepthMap() },
      replication_keys: { map: replicationKeysMap(publicDocs) },
      contact_keys: { map: contactKeysMap() },
      private_reports: { map: privateReportsMap() },
    },
    validate_doc_update: validateDocUpdate(publicDocs),
  };
}
