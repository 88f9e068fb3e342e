/**
 * How the embedded server hashes and checks passwords: PBKDF2 with Node's native implementation
 * (off the event loop), SHA-256 and 600,000 iterations for new hashes as CouchDB 3.4 writes them,
 * and a bounded in-memory cache of successful checks so a credential sent with every request costs
 * one derivation per process, not one per request. docs/server.md says why.
 */
import { createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';

/** PBKDF2 iterations of every password hash the server writes. */
export const PASSWORD_ITERATIONS = 600_000;

/** The pseudo-random function of new hashes, as CouchDB names it in `pbkdf2_prf`. */
export const PASSWORD_PRF = 'sha256';

/** Stored hashes with more iterations are refused unchecked (a planted hash must not stall the server). */
const MAX_ITERATIONS = 10_000_000;

/** Successful checks remembered; the oldest is forgotten first. */
const CACHE_ENTRIES = 1000;

/** `pbkdf2_prf` values CouchDB knows, as Node digest names. No `pbkdf2_prf` means SHA-1 (older CouchDB). */
const DIGESTS: Readonly<Record<string, string>> = { sha: 'sha1', sha1: 'sha1', sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };

/** The password fields of a `_users` doc (or of a server admin, which has no `pbkdf2_prf`). */
export interface StoredPassword {
  readonly password_scheme?: unknown;
  readonly derived_key?: unknown;
  readonly salt?: unknown;
  readonly iterations?: unknown;
  readonly pbkdf2_prf?: unknown;
}

function derive(password: string, salt: string, iterations: number, digest: string, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, bytes, digest, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * The hex PBKDF2 key of `password`: SHA-1 and 20 bytes when `prf` is absent (what a `-pbkdf2-`
 * admin hash means), else the named digest and its own output length.
 * @throws for an unknown `prf`.
 */
export async function hashPassword(password: string, salt: string, iterations: number, prf?: string): Promise<string> {
  const digest = DIGESTS[prf ?? 'sha1'];
  if (!digest) throw new Error(`unknown pbkdf2_prf ${prf}`);
  const bytes = digest === 'sha1' ? 20 : Number(digest.slice(3)) / 8;
  return (await derive(String(password), salt, iterations, digest, bytes)).toString('hex');
}

/** Checks a password against stored fields; resolves false for anything malformed, never throws. */
export type PasswordVerifier = (password: unknown, stored: StoredPassword) => Promise<boolean>;

/**
 * A verifier with its own cache. The cache key is an HMAC (with a key made for this verifier) of
 * the password and every stored field, so a changed password or salt misses, and the cache holds no
 * password and nothing an attacker could turn into one.
 */
export function createPasswordVerifier(): PasswordVerifier {
  const cacheKey = randomBytes(32).toString('hex');
  const verified = new Map<string, true>();
  return async (password, stored) => {
    const { derived_key: derivedKey, salt, iterations, pbkdf2_prf: prf } = stored;
    if (stored.password_scheme !== 'pbkdf2' || typeof password !== 'string') return false;
    if (typeof derivedKey !== 'string' || !/^(?:[0-9a-f]{2}){16,64}$/.test(derivedKey) || typeof salt !== 'string') return false;
    if (typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) return false;
    if (prf !== undefined && (typeof prf !== 'string' || !DIGESTS[prf])) return false;
    const key = createHmac('sha256', cacheKey).update(JSON.stringify([password, salt, iterations, prf ?? null, derivedKey])).digest('base64');
    if (verified.has(key)) return true;
    const digest = DIGESTS[prf ?? 'sha1'] ?? 'sha1';
    const expected = Buffer.from(derivedKey, 'hex');
    const actual = await derive(password, salt, iterations, digest, expected.length);
    if (actual.length !== expected.length || !timingSafeEqual(new Uint8Array(actual), new Uint8Array(expected))) return false;
    verified.set(key, true);
    if (verified.size > CACHE_ENTRIES) verified.delete(verified.keys().next().value as string);
    return true;
  };
}
