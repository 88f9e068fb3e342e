/**
 * When a requester's tasks are due for recalculation: after its data changed, or when its last
 * calculation is a week old (dates move windows even when data does not), or when the clock went
 * backwards. Data changes are detected by fingerprints: a short hash of the `_id`/`_rev` of every
 * document the rules read for that contact.
 */
import type { ContactId } from '../codecs/index.js';

/** CHT recalculates every requester at least weekly. */
export const DEFAULT_MAX_AGE_MS = 7 * 86_400_000;

/** What is remembered about one requester's last calculation. */
export interface RequesterFreshness {
  /** Fingerprint of the requester's data at that calculation. */
  readonly fingerprint: string;
  /** When it was calculated (ms). */
  readonly calculatedAt: number;
}

/** Per-requester freshness. Keep it on the device (e.g. in a `_local` document); it is never replicated. */
export type FreshnessState = ReadonlyMap<ContactId, RequesterFreshness>;

/** Which requesters to refresh. */
export interface RefreshDue {
  /** Requesters whose tasks must be recalculated with the rules. */
  readonly due: readonly ContactId[];
  /** Requesters no longer present: refresh them with no emissions, so their live tasks are cancelled. */
  readonly gone: readonly ContactId[];
}

/** Options of {@link refreshDue}. */
export interface RefreshDueOptions {
  /** The time now (ms). */
  readonly now: number;
  /** Age after which a calculation expires; 7 days when omitted. */
  readonly maxAgeMs?: number;
  /**
   * `true` when `observed` lists every requester on the device, so a remembered requester missing
   * from it is gone. `false` (the default) when it lists only the contacts that changed.
   */
  readonly complete?: boolean;
}

/**
 * The requesters due for a refresh: those observed with a fingerprint that is new or differs, and
 * those remembered whose calculation expired or lies in the future. Cost is one comparison per
 * remembered requester plus one lookup per observed one; no document is read.
 */
export function refreshDue(state: FreshnessState, observed: ReadonlyMap<ContactId, string>, options: RefreshDueOptions): RefreshDue {
  const maxAge = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const due = new Set<ContactId>();
  const gone: ContactId[] = [];
  for (const [id, fingerprint] of observed) {
    if (state.get(id)?.fingerprint !== fingerprint) due.add(id);
  }
  for (const [id, fresh] of state) {
    if (options.complete === true && !observed.has(id)) {
      gone.push(id);
      continue;
    }
    if (fresh.calculatedAt > options.now || options.now - fresh.calculatedAt >= maxAge) due.add(id);
  }
  return { due: [...due], gone };
}

/**
 * The state after refreshing `refreshed` (requester to its current fingerprint) at `now`; `gone`
 * requesters are forgotten. Returns a new map; `state` is not changed.
 */
export function markFresh(state: FreshnessState, refreshed: ReadonlyMap<ContactId, string>, now: number, gone: readonly ContactId[] = []): FreshnessState {
  const next = new Map(state);
  for (const id of gone) next.delete(id);
  for (const [id, fingerprint] of refreshed) next.set(id, { fingerprint, calculatedAt: now });
  return next;
}

/** A document as far as a fingerprint cares. */
export interface Versioned {
  readonly _id: string;
  readonly _rev?: string;
}

function fnv1a(text: string, seed: number, prime: number): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, prime) >>> 0;
  }
  return hash;
}

/**
 * A fingerprint of a set of documents (the contact, its parents, its reports): 64 bits of two FNV-1a-style
 * hashes (different seeds and multipliers) over the sorted `_id@_rev` pairs. Order of `docs` does not matter; any new, removed or
 * edited document changes it (a document without `_rev` counts by `_id` only).
 */
export function fingerprint(docs: Iterable<Versioned>): string {
  const text = [...docs].map((d) => `${d._id}@${d._rev ?? ''}`).sort().join('\n');
  return fnv1a(text, 0x811c9dc5, 0x01000193).toString(16).padStart(8, '0') + fnv1a(text, 0x050c5d1f, 0x5bd1e995).toString(16).padStart(8, '0');
}
