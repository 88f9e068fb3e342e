/** A minimal typed event emitter: listeners per event name, each returning an unsubscribe. */

/** Map of event names to their payload types. */
export type EventMap = Record<string, unknown>;

/** Subscribe/emit over an {@link EventMap}. */
export interface Emitter<Events extends EventMap> {
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void;
  emit<K extends keyof Events>(event: K, payload: Events[K]): void;
}

/** Creates an emitter; a throwing listener never breaks the sync loop that emits. */
export function emitter<Events extends EventMap>(): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<(payload: never) => void>>();
  return {
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => { set.delete(listener); };
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) {
        try {
          (listener as (p: typeof payload) => void)(payload);
        } catch {
          // A UI bug must not stop replication.
        }
      }
    },
  };
}
