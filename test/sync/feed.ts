/** Raw-HTTP helpers for tests of the gateway's per-user `_changes` feed. */
import assert from 'node:assert/strict';
import type { FeedResponse } from '../../lib/sync/protocol.js';
import type { AttackWorld, Who } from '../security/gateway-attacker.js';

/** A user of the world, as credentials. */
export function who(w: AttackWorld, name: string): { name: string; password: string } {
  const user = w.world.user(name);
  return { name: user.name, password: user.password };
}

/** One `GET _changes?<query>` that must answer 200. */
export async function feed(w: AttackWorld, user: Who, query: string): Promise<FeedResponse> {
  const answer = await w.request(user, 'GET', `_changes?${query}`);
  assert.equal(answer.status, 200, answer.text.slice(0, 500));
  return answer.json as FeedResponse;
}

/** Pages the feed from `since` with `limit` until an empty page; every entry, in order. */
export async function walk(w: AttackWorld, user: Who, since: string, query: string, limit: number): Promise<{ entries: FeedResponse['results']; last: string }> {
  const entries: Array<FeedResponse['results'][number]> = [];
  let cursor = since;
  for (let page = 0; page < 100_000; page++) {
    const answer = await feed(w, user, `since=${encodeURIComponent(cursor)}&limit=${limit}${query ? `&${query}` : ''}`);
    entries.push(...answer.results);
    if (answer.results.length === 0) return { entries, last: answer.last_seq };
    cursor = answer.results.at(-1)!.seq;
  }
  throw new Error('the feed never ended');
}

/** The ids of entries that are not removals, as a set. */
export function listedIds(entries: FeedResponse['results']): Set<string> {
  return new Set(entries.filter((e) => !e.removed).map((e) => e.id));
}

/** Sorted, for readable assertion diffs. */
export function sorted(ids: Iterable<string>): string[] {
  return [...ids].sort();
}
