/**
 * Structural equality of JSON-like values, used to decide whether a recalculated task document
 * differs from the stored one. Key order is ignored (a document read back from CouchDB, or written by
 * another implementation, may list keys differently) and a key holding `undefined` counts as absent,
 * as it does once the document is serialised.
 */

/** Whether two JSON-like values serialise to the same JSON, ignoring key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJson(item, b[i]));
  }
  const ra = a as Readonly<Record<string, unknown>>;
  const rb = b as Readonly<Record<string, unknown>>;
  const keysA = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const keysB = Object.keys(rb).filter((k) => rb[k] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => Object.hasOwn(rb, k) && sameJson(ra[k], rb[k]));
}
