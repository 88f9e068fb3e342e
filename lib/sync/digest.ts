/**
 * The integrity digest of a set of revisions, computed the same way by the gateway (over every
 * document the user may have, what `_fieldsync/ids` lists) and by the device (over the winning,
 * non-deleted revisions it holds of those documents): equal digests prove the device holds exactly
 * the server's set, without sending the list.
 */
import type { DigestResponse, IdRev } from './protocol.js';
import { sha256Hex } from './sha256.js';

/**
 * A digest and the number of revisions it covers: hex SHA-256 over the lines `id + " " + rev + "\n"`,
 * sorted by id (UTF-16 code units, as JavaScript sorts). The gateway's answer has the same shape.
 */
export type RevisionDigest = DigestResponse;

/** The digest of these revisions (one per id; the order given does not matter). Pure. */
export function revisionDigest(revisions: Iterable<IdRev>): RevisionDigest {
  const rows = [...revisions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.rev < b.rev ? -1 : a.rev > b.rev ? 1 : 0));
  return { digest: sha256Hex(rows.map((row) => `${row.id} ${row.rev}\n`).join('')), count: rows.length };
}
