/** `GET /`: the little of the database's info PouchDB's replication needs. */
import type { Endpoint } from './endpoint.js';
import { sendJson } from './http.js';

/** Answers `db_name`, `update_seq` and `instance_start_time`. */
export const dbInfo: Endpoint = async (scope, _req, res, { couch }) => {
  const info = (await couch.request(scope.db, 'GET', '')) as { update_seq: unknown; instance_start_time?: unknown };
  sendJson(res, 200, { db_name: scope.db, update_seq: info.update_seq, instance_start_time: info.instance_start_time ?? '0' });
};
