/**
 * What a `replication_keys` view emits as each row's value, and how the gateway reads it: the
 * document's winning revision, or `{rev, conflicts}` when it has conflicting live leaves (CouchDB and
 * PouchDB give a map function the winner with its `_conflicts`). The pull list carries the conflicts,
 * so every device that holds the document learns of the conflict, the one whose revision won too.
 */

/** ES5 for a map function: `listed` is the value to emit for `doc`. */
export const LISTED_VALUE = `  var listed = doc._conflicts && doc._conflicts.length > 0 ? { rev: doc._rev, conflicts: doc._conflicts } : doc._rev;`;

/** A row value read back: the winning revision and any conflicting leaves; undefined when malformed. */
export function readListedValue(value: unknown): { rev: string; conflicts: string[] } | undefined {
  if (typeof value === 'string') return { rev: value, conflicts: [] };
  if (typeof value !== 'object' || value === null) return undefined;
  const { rev, conflicts } = value as { rev?: unknown; conflicts?: unknown };
  if (typeof rev !== 'string') return undefined;
  return { rev, conflicts: Array.isArray(conflicts) ? conflicts.filter((c): c is string => typeof c === 'string' && c !== rev) : [] };
}
