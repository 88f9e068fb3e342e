/**
 * A small map for the gateway's caches, bounded in time and size: an entry expires `ttlMs` after it was
 * set, and beyond `maxEntries` (or a total `maxWeight`) the oldest entries are evicted. Every entry lives
 * equally long, so the oldest is also the first to expire: eviction and expiry both work from the front
 * of one insertion-ordered map. Time is passed in.
 */

/** Bounds of a {@link boundedCache}. */
export interface CacheBounds<V> {
  /** How long an entry is answered after it was set; 0 keeps nothing. */
  readonly ttlMs: number;
  readonly maxEntries: number;
  /** Largest total weight (e.g. revisions held); needs `weigh`. */
  readonly maxWeight?: number;
  readonly weigh?: (value: V) => number;
}

/** How many entries a cache holds in memory now (expired ones until a write drops them), and how many it may. */
export interface CacheStats {
  readonly entries: number;
  readonly maxEntries: number;
}

/** The cache. */
export interface BoundedCache<V> {
  /** The value set for `key`, unless it expired by `now`. */
  get(key: string, now: number): V | undefined;
  /** Sets `key` (as the newest entry), dropping what expired by `now` and the oldest beyond the bounds. */
  set(key: string, value: V, now: number): void;
  delete(key: string): void;
  /** Every key and value held (expired ones included), oldest first. */
  entries(): IterableIterator<[string, V]>;
  readonly size: number;
  /** Total weight of the entries held. */
  readonly weight: number;
  /** The entries held and the bound on them. */
  stats(): CacheStats;
}

/** Creates an empty cache with the given bounds. */
export function boundedCache<V>(bounds: CacheBounds<V>): BoundedCache<V> {
  const entries = new Map<string, { value: V; expires: number; weight: number }>();
  let weight = 0;
  const drop = (key: string): void => {
    const entry = entries.get(key);
    if (!entry) return;
    weight -= entry.weight;
    entries.delete(key);
  };
  const oldest = (): [string, { expires: number }] | undefined => entries.entries().next().value;
  return {
    get(key, now) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expires > now) return entry.value;
      drop(key);
      return undefined;
    },
    set(key, value, now) {
      drop(key);
      for (let first = oldest(); first && first[1].expires <= now; first = oldest()) drop(first[0]);
      if (bounds.ttlMs <= 0) return;
      const entryWeight = bounds.weigh?.(value) ?? 0;
      if (bounds.maxWeight !== undefined && entryWeight > bounds.maxWeight) return;
      entries.set(key, { value, expires: now + bounds.ttlMs, weight: entryWeight });
      weight += entryWeight;
      for (let first = oldest(); first && (entries.size > bounds.maxEntries || weight > (bounds.maxWeight ?? Infinity)); first = oldest()) drop(first[0]);
    },
    delete: drop,
    *entries() {
      for (const [key, entry] of [...entries]) yield [key, entry.value];
    },
    get size() { return entries.size; },
    get weight() { return weight; },
    stats: () => ({ entries: entries.size, maxEntries: bounds.maxEntries }),
  };
}
