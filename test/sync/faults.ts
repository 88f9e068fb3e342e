/**
 * Deterministic faults for sync tests: a loopback server that accepts connections and never answers
 * (a black hole), a port nobody listens on (refused), and a local database with chosen calls replaced.
 */
import { createServer } from 'node:net';
import type { Socket } from 'node:net';

/** A loopback TCP server that accepts every connection and never sends a byte. */
export interface BlackHole {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts a {@link BlackHole}. */
export async function blackHole(): Promise<BlackHole> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The URL a fetch was called with. */
export function urlOf(input: Parameters<typeof fetch>[0]): string {
  return input instanceof Request ? input.url : input instanceof URL ? input.href : input;
}

/** A fetch that sends the requests `hole` picks to a black hole and the others on to the network. */
export function holeFetch(hole: BlackHole, picks: (url: string) => boolean): typeof fetch {
  return (input, init) => {
    const url = urlOf(input);
    return picks(url) ? fetch(`${hole.url}/${new URL(url).pathname}`, init) : fetch(input, init);
  };
}

/**
 * The same database with some of its methods replaced: `replace(name, original)` returns the
 * function to use instead, or undefined to keep the original. Everything else (events, the
 * constructor, replication) is the database's own.
 */
export function withCalls<T extends object>(db: T, replace: (name: string, original: (...args: unknown[]) => unknown) => ((...args: unknown[]) => unknown) | undefined): T {
  return new Proxy(db, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || typeof value !== 'function') return value;
      const original = (value as (...args: unknown[]) => unknown).bind(target);
      return replace(prop, original) ?? value;
    },
  });
}

/** A promise that never settles (what a PouchDB call in flight during `close()` does). */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}
