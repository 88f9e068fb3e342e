/** The change indexes of one gateway: one per served database, started by the first feed request. */
import { changeIndex } from './change-index.js';
import type { ChangeIndex } from './change-index.js';
import type { ContextCache } from './contexts.js';
import type { GatewayCouch } from './couch.js';
import type { GatewayDatabase } from './scope.js';

/** The gateway's indexes. */
export interface ChangeIndexes {
  /** The index of `db`, created on first use. */
  of(db: string, served: GatewayDatabase): ChangeIndex;
  /** The index of `db` when one runs. */
  running(db: string): ChangeIndex | undefined;
  /** Stops every index; later requests of the feed fail. */
  close(): void;
  /** Stops and drops the index of `db` (the database was created again): the next feed request starts a new one. */
  forget(db: string): void;
  /** Feed waits registered with every index. */
  waiting(): number;
}

/** Indexes over `couch` whose changes invalidate the cached contexts they concern. */
export function changeIndexes(couch: GatewayCouch, contexts: ContextCache, windowSize: number | undefined): ChangeIndexes {
  const indexes = new Map<string, ChangeIndex>();
  let closed = false;
  return {
    of(db, served) {
      let index = indexes.get(db);
      if (!index) {
        index = changeIndex({
          couch, db, rules: served.rules, ...(windowSize !== undefined ? { windowSize } : {}),
          onChange: (keys) => contexts.invalidate(db, keys),
        });
        if (closed) index.close();
        indexes.set(db, index);
      }
      return index;
    },
    running: (db) => indexes.get(db),
    waiting() {
      let n = 0;
      for (const index of indexes.values()) n += index.waiting();
      return n;
    },
    forget(db) {
      indexes.get(db)?.close();
      indexes.delete(db);
    },
    close() {
      closed = true;
      for (const index of indexes.values()) index.close();
    },
  };
}
