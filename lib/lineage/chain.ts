/**
 * A stored chain read for hydration: the ids to fill, nearest first, cut at the first repeated id
 * (a cycle) or at the depth limit, with the stored remainder kept so nothing is lost.
 */
import { isObject } from './shapes.js';

/** One stored chain, ready to hydrate. */
export interface StoredChain {
  /** Ids to fill, nearest first. */
  readonly ids: readonly string[];
  /** The stored minified object below the last id to fill, when the chain was cut. */
  readonly remainder?: unknown;
  readonly cut?: { readonly kind: 'cycle'; readonly repeatedId: string } | { readonly kind: 'too-deep'; readonly limit: number };
}

/**
 * Reads a minified chain. `seen` holds ids already above-or-at the start (e.g. the document's own
 * id), so `{_id: X, parent: {_id: X}}` counts as a cycle.
 */
export function readChain(ref: unknown, maxDepth: number, seen: readonly string[] = []): StoredChain {
  const ids: string[] = [];
  const visited = new Set(seen);
  let current: unknown = ref;
  while (isObject(current) && typeof current['_id'] === 'string') {
    const id = current['_id'];
    if (visited.has(id)) return { ids, remainder: current, cut: { kind: 'cycle', repeatedId: id } };
    if (ids.length === maxDepth) return { ids, remainder: current, cut: { kind: 'too-deep', limit: maxDepth } };
    visited.add(id);
    ids.push(id);
    current = current['parent'];
  }
  return { ids };
}
