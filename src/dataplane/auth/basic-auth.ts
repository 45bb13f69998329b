// HTTP Basic authentication against one auth Secret's users, for the proxy's request path.
//
// A BasicAuthVerifier is built once per Secret content. Per request the proxy passes the raw
// Authorization header value to check(), which answers synchronously whenever it can (malformed
// or absent credentials, unknown user, {PLAIN}/{SHA}/{SSHA}, a cached result) and with a Promise
// when a slow hash (bcrypt, SHA-crypt, MD5-crypt, DES) must be computed in the worker pool.
//
// Results of slow verifications are cached under HMAC-SHA256(per-cache random key,
// user \0 password \0 stored-hash), never the password: a correct password costs one slow hash
// per TTL. Because the key covers the stored hash, a cached answer is exactly what recomputing
// would give; changing or removing the user's hash simply stops the entry from being looked up.
// Failures are cached too, but briefly and in a separate, smaller map, so a client retrying a
// wrong password in a loop costs one hash per few seconds while a flood of distinct wrong
// passwords cannot evict the successes. Concurrent identical attempts share one computation, and
// each verifier bounds its slow verifications in flight ('overloaded' beyond that).

import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { HashPoolFullError, sharedHashPool, type HashExecutor } from './hash-pool.ts';
import { parseAuthSecret, type Htpasswd, type HtpasswdError } from './htpasswd.ts';
import { checkHash, decodeUtf8, DEFAULT_HASH_LIMITS, isSlowScheme, schemeOf, verifyPassword, type HashLimits, type HashScheme } from './schemes.ts';

// ---------------------------------------------------------------------------------------------
// Authorization header

export interface BasicCredentials {
  user: string;
  /** The password's bytes exactly as sent (UTF-8 from any current client). */
  password: Uint8Array;
}

// "Basic" (any case), one or more spaces, base64, optional padding. Surrounding SP/HTAB is what a
// header parser would have trimmed anyway.
const BASIC = /^[ \t]*[Bb][Aa][Ss][Ii][Cc] +([A-Za-z0-9+/]*)(=?=?)[ \t]*$/;

/**
 * Parses an Authorization header value as Basic credentials; null when absent, not Basic, or
 * malformed. Deliberately stricter than nginx in two places (see README): the base64 must be
 * well-formed (nginx ignores anything after the first '=' and accepts bad padding), and user names
 * with CR, LF or NUL, non-UTF-8 user names, and passwords containing NUL are refused.
 */
export function parseBasicAuthorization(value: string | null | undefined): BasicCredentials | null {
  if (value == null) return null;
  const m = BASIC.exec(value);
  if (m === null) return null;
  const body = m[1]!;
  const pad = m[2]!.length;
  if (body.length === 0) return null;
  const rem = body.length % 4;
  if (pad === 0 ? rem === 1 : rem !== 4 - pad) return null;
  const raw = Buffer.from(body, 'base64');
  const colon = raw.indexOf(0x3a);
  if (colon <= 0) return null; // no ':' or empty user: nginx declines both
  const userBytes = raw.subarray(0, colon);
  if (userBytes.includes(0) || userBytes.includes(0x0d) || userBytes.includes(0x0a)) return null;
  const user = decodeUtf8(userBytes);
  if (user === null) return null;
  const password = raw.subarray(colon + 1);
  if (password.includes(0)) return null;
  return { user, password };
}

// ---------------------------------------------------------------------------------------------
// Verification cache

export interface VerificationCacheOptions {
  /** Lifetime of a successful verification; default 5 minutes. */
  ttlMs?: number;
  /** Successful verifications kept (least recently used evicted first); default 10,000. */
  maxEntries?: number;
  /** Lifetime of a failed verification; default 2 s. 0 disables negative caching. */
  negativeTtlMs?: number;
  /** Failed verifications kept; default 1,000. */
  maxNegativeEntries?: number;
  /** Clock in ms; default Date.now. */
  now?: () => number;
}

export interface VerificationCacheStats {
  size: number;
  negativeSize: number;
  hits: number;
  negativeHits: number;
  misses: number;
  evictions: number;
}

/** Bounded TTL cache of verification outcomes, keyed by an HMAC: no plaintext is stored. */
export class VerificationCache {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly negativeTtlMs: number;
  readonly maxNegativeEntries: number;
  readonly #now: () => number;
  // A KeyObject, not a Buffer: createHmac() imports a raw key on every call (~20 µs vs ~2.5 µs).
  readonly #key = createSecretKey(randomBytes(32));
  /** HMAC → expiry; Map order is recency (a hit moves the entry to the end). */
  readonly #ok = new Map<string, number>();
  readonly #bad = new Map<string, number>();
  #hits = 0;
  #negativeHits = 0;
  #misses = 0;
  #evictions = 0;

  constructor(opts: VerificationCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.negativeTtlMs = opts.negativeTtlMs ?? 2_000;
    this.maxNegativeEntries = opts.maxNegativeEntries ?? 1_000;
    this.#now = opts.now ?? Date.now;
  }

  /** The cache key for one attempt: HMAC-SHA256(key, user \0 password \0 hash), base64. */
  keyOf(user: string, password: Uint8Array, hash: string): string {
    return credentialKey(this.#key, user, password, hash);
  }

  /** true: verified before; false: failed recently; undefined: unknown. */
  get(key: string): boolean | undefined {
    const now = this.#now();
    const exp = this.#ok.get(key);
    if (exp !== undefined) {
      this.#ok.delete(key);
      if (exp > now) {
        this.#ok.set(key, exp);
        this.#hits++;
        return true;
      }
    }
    const bad = this.#bad.get(key);
    if (bad !== undefined) {
      if (bad > now) {
        this.#negativeHits++;
        return false;
      }
      this.#bad.delete(key);
    }
    this.#misses++;
    return undefined;
  }

  set(key: string, ok: boolean): void {
    const map = ok ? this.#ok : this.#bad;
    const ttl = ok ? this.ttlMs : this.negativeTtlMs;
    const max = ok ? this.maxEntries : this.maxNegativeEntries;
    if (ttl <= 0 || max <= 0) return;
    map.delete(key);
    map.set(key, this.#now() + ttl);
    while (map.size > max) {
      map.delete(map.keys().next().value!);
      this.#evictions++;
    }
    if (ok) this.#bad.delete(key);
  }

  clear(): void {
    this.#ok.clear();
    this.#bad.clear();
  }

  get stats(): VerificationCacheStats {
    return { size: this.#ok.size, negativeSize: this.#bad.size, hits: this.#hits, negativeHits: this.#negativeHits, misses: this.#misses, evictions: this.#evictions };
  }
}

const SEP = Buffer.from([0]);

/** HMAC-SHA256(key, user \0 password \0 hash). Unambiguous: user and password contain no NUL. */
function credentialKey(key: KeyObject, user: string, password: Uint8Array, hash: string): string {
  return createHmac('sha256', key).update(user, 'utf8').update(SEP).update(password).update(SEP).update(hash, 'utf8').digest('base64');
}

/** Keys the in-flight map of verifiers that have no cache. */
const INFLIGHT_KEY = createSecretKey(randomBytes(32));

let sharedCache: VerificationCache | null = null;

/** The process-wide cache every BasicAuthVerifier uses unless given another (bounds total memory). */
export function sharedVerificationCache(): VerificationCache {
  sharedCache ??= new VerificationCache();
  return sharedCache;
}

// ---------------------------------------------------------------------------------------------
// Verifier

export type BasicAuthDenyReason =
  | 'no-credentials' // no Authorization header
  | 'malformed' // not Basic, bad base64, no ':', empty or invalid user name, NUL in password, too long
  | 'unknown-user'
  | 'bad-hash' // the user's stored hash can never verify (checkHash reported it)
  | 'mismatch' // wrong password
  | 'overloaded' // too many slow verifications in flight: the proxy should answer 503, not 401
  | 'error'; // the hash worker failed

export type BasicAuthResult =
  | { readonly allowed: true; readonly user: string; readonly cached: boolean }
  | { readonly allowed: false; readonly reason: BasicAuthDenyReason; readonly user?: string };

export interface BasicAuthOptions {
  /** Cost ceilings for stored hashes; default DEFAULT_HASH_LIMITS. */
  limits?: Partial<HashLimits>;
  /** Verification cache; default the shared one; null disables caching. */
  cache?: VerificationCache | null;
  /** Where slow hashes run; default the shared worker pool. */
  executor?: HashExecutor;
  /** Slow verifications in flight for this verifier before 'overloaded'; default 32. */
  maxPending?: number;
  /** Longer passwords are refused as malformed without hashing; default 1024 bytes. */
  maxPasswordBytes?: number;
}

interface Entry {
  hash: string;
  scheme: HashScheme;
  slow: boolean;
  /** checkHash() result: when set, no password can verify. */
  problem: string | null;
}

const NO_CREDENTIALS: BasicAuthResult = Object.freeze({ allowed: false, reason: 'no-credentials' });
const MALFORMED: BasicAuthResult = Object.freeze({ allowed: false, reason: 'malformed' });

export class BasicAuthVerifier {
  /** Problems found in the Secret, for compile-time reporting. */
  readonly errors: readonly HtpasswdError[];
  readonly limits: Readonly<HashLimits>;
  readonly #entries = new Map<string, Entry>();
  readonly #cache: VerificationCache | null;
  readonly #executor: HashExecutor;
  readonly #maxPending: number;
  readonly #maxPasswordBytes: number;
  /** Slow verifications in flight, by cache key; identical concurrent attempts share one. */
  readonly #inflight = new Map<string, Promise<BasicAuthResult>>();

  constructor(source: Htpasswd | ReadonlyMap<string, string>, opts: BasicAuthOptions = {}) {
    this.limits = Object.freeze({ ...DEFAULT_HASH_LIMITS, ...opts.limits });
    const users = source instanceof Map ? source : (source as Htpasswd).users;
    this.errors = source instanceof Map ? [] : (source as Htpasswd).errors;
    for (const [user, hash] of users) {
      const scheme = schemeOf(hash);
      this.#entries.set(user, { hash, scheme, slow: isSlowScheme(scheme), problem: checkHash(hash, this.limits) });
    }
    this.#cache = opts.cache === undefined ? sharedVerificationCache() : opts.cache;
    this.#executor = opts.executor ?? sharedHashPool();
    this.#maxPending = opts.maxPending ?? 32;
    this.#maxPasswordBytes = opts.maxPasswordBytes ?? 1024;
  }

  /** From a Secret's base64 `data` and the auth-secret-type annotation (default auth-file). */
  static fromSecret(data: Readonly<Record<string, string>>, type: string = 'auth-file', opts: BasicAuthOptions = {}): BasicAuthVerifier {
    const limits = { ...DEFAULT_HASH_LIMITS, ...opts.limits };
    return new BasicAuthVerifier(parseAuthSecret(data, type, limits), opts);
  }

  get userCount(): number {
    return this.#entries.size;
  }

  /** Slow verifications currently in flight. */
  get pending(): number {
    return this.#inflight.size;
  }

  /**
   * Decides on one request's Authorization header value. Synchronous unless a slow hash has to
   * be computed; never throws and never rejects.
   */
  check(authorization: string | null | undefined): BasicAuthResult | Promise<BasicAuthResult> {
    if (authorization == null || authorization === '') return NO_CREDENTIALS;
    const cred = parseBasicAuthorization(authorization);
    if (cred === null || cred.password.length > this.#maxPasswordBytes) return MALFORMED;
    const { user, password } = cred;
    const entry = this.#entries.get(user);
    if (entry === undefined) return { allowed: false, reason: 'unknown-user', user };
    if (entry.problem !== null) return { allowed: false, reason: 'bad-hash', user };
    if (!entry.slow) {
      return verifyPassword(password, entry.hash, this.limits) ? { allowed: true, user, cached: false } : { allowed: false, reason: 'mismatch', user };
    }
    const cache = this.#cache;
    const key = cache !== null ? cache.keyOf(user, password, entry.hash) : credentialKey(INFLIGHT_KEY, user, password, entry.hash);
    if (cache !== null) {
      const known = cache.get(key);
      if (known === true) return { allowed: true, user, cached: true };
      if (known === false) return { allowed: false, reason: 'mismatch', user };
    }
    const running = this.#inflight.get(key);
    if (running !== undefined) return running;
    if (this.#inflight.size >= this.#maxPending) return { allowed: false, reason: 'overloaded', user };
    const p = this.#executor.verify(Uint8Array.from(password), entry.hash, this.limits).then(
      (ok): BasicAuthResult => {
        cache?.set(key, ok);
        return ok ? { allowed: true, user, cached: false } : { allowed: false, reason: 'mismatch', user };
      },
      (err: unknown): BasicAuthResult => ({ allowed: false, reason: err instanceof HashPoolFullError ? 'overloaded' : 'error', user }),
    );
    this.#inflight.set(key, p);
    void p.finally(() => this.#inflight.delete(key));
    return p;
  }

  /** check(), always as a Promise. */
  verify(authorization: string | null | undefined): Promise<BasicAuthResult> {
    return Promise.resolve(this.check(authorization));
  }
}
