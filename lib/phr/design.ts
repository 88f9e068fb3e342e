/**
 * The PHR design doc: the `replication_keys` view the gateway lists a user's documents with, and a
 * `validate_doc_update` so direct writes by database members obey the same policy (admins bypass it).
 * ES5 source with the catalogue's policy table embedded; a test checks the view against
 * `phrReplicationKeys` and runs the validation in-process and on the server.
 */
import type { AnyDoc } from '../sync/rules.js';
import { LISTED_VALUE } from '../sync/view-value.js';
import { VDU_PREAMBLE } from '../sync/vdu.js';
import type { PhrCatalogue } from './catalogue.js';

/** Id of the PHR sync design doc. */
export const PHR_DESIGN_ID = '_design/fieldsync-phr';

function policyTable(catalogue: PhrCatalogue): string {
  return JSON.stringify(Object.fromEntries([...catalogue.values()].map((c) => [c.name, { policy: c.policy, push: c.push, owner: c.ownerField ?? null }])));
}

/** The design doc for a catalogue. */
export function phrDesignDoc(catalogue: PhrCatalogue): AnyDoc {
  const table = policyTable(catalogue);
  return {
    _id: PHR_DESIGN_ID,
    language: 'javascript',
    views: {
      replication_keys: {
        map: `function (doc) {
  var table = ${table};
${LISTED_VALUE}
  if (doc._id.indexOf('_design/') === 0) return;
  var c = table[doc.type];
  if (!c || c.policy === 'server-only') return;
  if (c.policy === 'catalogue') { emit('phr:catalogue', listed); return; }
  var owner = doc[c.owner];
  if (typeof owner === 'string' && owner !== '') emit('phr:owner:' + owner, listed);
}`,
      },
    },
    validate_doc_update: `function (newDoc, oldDoc, userCtx, secObj) {
  var table = ${table};
${VDU_PREAMBLE}
  var type = newDoc._deleted && oldDoc ? oldDoc.type : newDoc.type;
  var c = table[type];
  if (!c) throw({ forbidden: JSON.stringify(type) + ' is not a PHR collection' });
  if (c.policy === 'server-only') throw({ forbidden: type + ' never leaves the server and is never written by a device' });
  if (c.policy === 'catalogue') throw({ forbidden: type + ' is shared reference data written by the server only' });
  if (!c.push) throw({ forbidden: type + ' is written by the server only' });
  if (oldDoc && oldDoc.type !== type) throw({ forbidden: 'a document cannot move to another collection' });
  if (oldDoc && oldDoc[c.owner] !== userCtx.name) throw({ forbidden: 'the stored document belongs to someone else' });
  if (!newDoc._deleted && newDoc[c.owner] !== userCtx.name) throw({ forbidden: c.owner + ' must be your own app user id' });
}`,
  };
}
