/**
 * Slots for open `changes` waits, a few per user: a user (or a stolen credential) cannot tie up the
 * gateway's and CouchDB's connections with waits. Only users with a wait open are held in memory.
 */

/** The open waits of every user. */
export interface WaitSlots {
  /** Takes a slot for `user`, or undefined when all theirs are taken; the function gives it back (once). */
  take(user: string): (() => void) | undefined;
  /** Users with a wait open, and the waits open in all. */
  stats(): WaitStats;
}

/** The waits open now. */
export interface WaitStats {
  readonly users: number;
  readonly open: number;
}

/** Slots for at most `perUser` concurrent waits of each user. */
export function waitSlots(perUser: number): WaitSlots {
  const open = new Map<string, number>();
  return {
    stats() {
      let waits = 0;
      for (const n of open.values()) waits += n;
      return { users: open.size, open: waits };
    },
    take(user) {
      const taken = open.get(user) ?? 0;
      if (taken >= perUser) return undefined;
      open.set(user, taken + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(user) ?? 1) - 1;
        if (left > 0) open.set(user, left);
        else open.delete(user);
      };
    },
  };
}
