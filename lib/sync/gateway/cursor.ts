/**
 * Cursors of the per-user `_changes` feed: `fs1.<base64url(JSON payload)>.<base64url(HMAC-SHA256)>`, signed
 * over the database, the user's name and the payload with a key every gateway over the same CouchDB shares,
 * so a cursor works on any of them, and only for the user and database it was given for. The database
 * sequence inside is opaque: it is only ever passed back to CouchDB or compared for equality.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a cursor says. */
export interface CursorPayload {
  /** The database sequence the user's feed reached (opaque). */
  readonly s: string;
  /** The digest of the access (readable keys) the user had at that point. */
  readonly a: string;
  /** While documents of gained or lost keys are listed: the last id listed. */
  readonly k?: string;
}

const PREFIX = 'fs1';

function mac(key: string, db: string, user: string, payload: string): string {
  return createHmac('sha256', key).update(`${db}\u0000${user}\u0000${payload}`).digest('base64url');
}

/** The cursor for `payload`, signed with `key` (the database's secret) for `user` on `db`. */
export function signCursor(key: string, db: string, user: string, payload: CursorPayload): string {
  const text = JSON.stringify({ s: payload.s, a: payload.a, ...(payload.k !== undefined ? { k: payload.k } : {}) });
  return `${PREFIX}.${Buffer.from(text).toString('base64url')}.${mac(key, db, user, text)}`;
}

function payloadOf(value: unknown): CursorPayload | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { s, a, k } = value as Record<string, unknown>;
  if (typeof s !== 'string' || typeof a !== 'string' || (k !== undefined && typeof k !== 'string')) return undefined;
  return { s, a, ...(k !== undefined ? { k } : {}) };
}

/** The payload of a cursor this key signed for `user` on `db`; undefined for anything else. */
export function readCursor(key: string, db: string, user: string, cursor: string): CursorPayload | undefined {
  const parts = cursor.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) return undefined;
  const text = Buffer.from(parts[1] ?? '', 'base64url').toString();
  const given = new TextEncoder().encode(parts[2] ?? '');
  const expected = new TextEncoder().encode(mac(key, db, user, text));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    return payloadOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}
