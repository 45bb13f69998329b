// Password hash schemes of nginx's auth_basic_user_file, verified the way nginx does it: compute
// crypt(password, stored) and compare the result with the stored string as a whole.
//
// nginx (ngx_crypt.c) implements "$apr1$", "{PLAIN}", "{SSHA}" and "{SHA}" itself and hands every
// other string to libc crypt_r(). ingress-nginx's image is Alpine, so that libc is musl, whose
// crypt_r() dispatches on "$1$" (MD5-crypt), "$2?$" (bcrypt: $2a$ and $2y$, not $2b$), "$5$",
// "$6$" (SHA-crypt) and falls back to traditional DES. Everything here is synchronous and
// self-contained (no I/O), so the same code runs on the main thread and in hash-worker.ts.
//
// See README.md beside this file for what sluice accepts and where it differs from nginx.

import { createHash, timingSafeEqual } from 'node:crypto';
import apacheMd5 from 'apache-md5';
import { hashSync as bcryptHashSync } from 'bcryptjs';
import unixCryptTD from 'unix-crypt-td-js';
import { parseShaCryptSetting, shaCrypt, SHA_CRYPT_KEY_MAX } from './sha-crypt.ts';

export type HashScheme =
  | 'plain' // {PLAIN}password
  | 'sha1' // {SHA}base64(sha1(password))
  | 'ssha' // {SSHA}base64(sha1(password salt) salt)
  | 'apr1' // $apr1$ Apache MD5-crypt (nginx's own implementation)
  | 'md5-crypt' // $1$ MD5-crypt (libc)
  | 'bcrypt' // $2a$ $2b$ $2y$ (libc)
  | 'sha256-crypt' // $5$ (libc)
  | 'sha512-crypt' // $6$ (libc)
  | 'des-crypt' // 13 characters, traditional DES (libc)
  | 'unknown';

/** Cost ceilings: a verification with a wrong password costs one full hash, so they bound the work an attacker can trigger per request. */
export interface HashLimits {
  /** Highest accepted bcrypt cost (log2 rounds). musl accepts 4..11, glibc/libxcrypt 4..31. */
  maxBcryptCost: number;
  /** Highest accepted SHA-crypt rounds. musl clamps at 9,999,999. */
  maxShaCryptRounds: number;
}

/**
 * Defaults: bcrypt cost 11 is musl's own ceiling (so ingress-nginx accepts no more either);
 * bcryptjs needs ~190 ms for it. SHA-crypt 1,000,000 rounds (~2 s here) covers every common
 * generator (passlib's default is 656,000) but is below musl's 9,999,999.
 */
export const DEFAULT_HASH_LIMITS: Readonly<HashLimits> = Object.freeze({
  maxBcryptCost: 11,
  maxShaCryptRounds: 1_000_000,
});

/** musl's limit for MD5-crypt keys ("$1$"); nginx's own "$apr1$" has none. */
const MD5_CRYPT_KEY_MAX = 30_000;

const BCRYPT_RE = /^\$2([abxy])\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const DES_RE = /^[./0-9A-Za-z]{13}$/;
const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const B64_CHAR = /^[A-Za-z0-9+/]$/;

/** Which scheme nginx (on musl) would use for this stored hash, by its prefix. */
export function schemeOf(hash: string): HashScheme {
  // nginx's own prefixes first, in ngx_crypt()'s order.
  if (hash.startsWith('$apr1$')) return 'apr1';
  if (hash.startsWith('{PLAIN}')) return 'plain';
  if (hash.startsWith('{SSHA}')) return 'ssha';
  if (hash.startsWith('{SHA}')) return 'sha1';
  // Then musl crypt_r()'s dispatch.
  if (hash.startsWith('$1$')) return 'md5-crypt';
  if (hash.length >= 4 && hash[0] === '$' && hash[1] === '2' && hash[3] === '$') return 'bcrypt';
  if (hash.startsWith('$5$')) return 'sha256-crypt';
  if (hash.startsWith('$6$')) return 'sha512-crypt';
  if (DES_RE.test(hash)) return 'des-crypt';
  return 'unknown';
}

/** Schemes whose cost is milliseconds rather than microseconds: worth caching and offloading. */
export function isSlowScheme(scheme: HashScheme): boolean {
  return scheme !== 'plain' && scheme !== 'sha1' && scheme !== 'ssha' && scheme !== 'unknown';
}

/**
 * Compile-time check of a stored hash: null if some password can verify against it, else why none
 * can (unsupported scheme, malformed, or over the cost limits). nginx would silently answer 401
 * (or 500, for settings glibc rejects) for every attempt; sluice does the same at request time
 * and reports this message once, when the Secret is compiled.
 */
export function checkHash(hash: string, limits: HashLimits = DEFAULT_HASH_LIMITS): string | null {
  if (hash === '') return 'empty password hash: no password can match';
  const bin = Buffer.from(hash, 'utf8').latin1Slice();
  switch (schemeOf(hash)) {
    case 'plain':
      return null;
    case 'sha1':
      return /^\{SHA\}[A-Za-z0-9+/]{27}=$/.test(hash) ? null : '{SHA} hash is not base64 of a 20-byte SHA-1 digest: no password can match';
    case 'ssha': {
      const decoded = ngxDecodeBase64(hash.slice(6));
      if (decoded === null || decoded.length < 20) return '{SSHA} hash is not base64 of a SHA-1 digest followed by a salt: no password can match';
      if (decoded.toString('base64') !== hash.slice(6)) return '{SSHA} hash is not canonical base64: no password can match';
      return null;
    }
    case 'apr1':
    case 'md5-crypt': {
      const setting = md5Setting(bin);
      if (bin.length !== setting.length + 22 || !bin.startsWith(setting) || !isItoa64(bin.slice(setting.length))) {
        return `${setting.startsWith('$1$') ? '$1$' : '$apr1$'} hash must be the magic, a salt of at most 8 characters, '$' and 22 hash characters: no password can match`;
      }
      return null;
    }
    case 'bcrypt': {
      const m = BCRYPT_RE.exec(hash);
      if (m === null) return 'bcrypt hash must be $2a$, $2b$ or $2y$, a two-digit cost and 53 characters of salt and hash: no password can match';
      if (m[1] === 'x') return 'bcrypt $2x$ (the pre-2011 sign-extension bug emulation) is not supported by sluice; re-create the hash with htpasswd -B';
      const cost = Number(m[2]);
      if (cost < 4) return `bcrypt cost ${m[2]} is below 4: no password can match`;
      if (cost > limits.maxBcryptCost) return `bcrypt cost ${cost} exceeds sluice's limit of ${limits.maxBcryptCost} (each failed attempt would cost 2^${cost} rounds); re-create the hash with a lower cost`;
      if (!canonicalBcryptSalt(hash)) return 'bcrypt salt is not canonical (its 22nd character carries unused bits): no password can match';
      if ((ITOA64_BCRYPT.indexOf(hash[59]!) & 0x03) !== 0) return 'bcrypt hash is not canonical (its last character carries unused bits): no password can match';
      return null;
    }
    case 'sha256-crypt':
    case 'sha512-crypt': {
      const s = parseShaCryptSetting(bin);
      if (s === null) return 'SHA-crypt setting is malformed (rounds= needs digits and a closing $; salt must not contain \':\' or newline): no password can match';
      const hashLen = s.id === '5' ? 43 : 86;
      if (bin.length !== s.prefix.length + hashLen || !bin.startsWith(s.prefix) || !isItoa64(bin.slice(s.prefix.length))) {
        return `SHA-crypt hash is not in canonical form (${s.prefix}<${hashLen} characters>; rounds between 1000 and 9999999 without leading zeros, salt of at most 16 characters): no password can match`;
      }
      if (s.rounds > limits.maxShaCryptRounds) return `SHA-crypt rounds ${s.rounds} exceed sluice's limit of ${limits.maxShaCryptRounds}; re-create the hash with fewer rounds`;
      return null;
    }
    case 'des-crypt':
      return null;
    case 'unknown':
      if (hash.startsWith('$y$') || hash.startsWith('$gy$') || hash.startsWith('$7$')) {
        return 'yescrypt/scrypt hashes are accepted by Debian\'s libxcrypt but not by musl (ingress-nginx) nor sluice; use bcrypt ($2y$) or SHA-crypt ($6$)';
      }
      if (hash.startsWith('_')) return 'BSDi extended DES ("_" hashes) is not supported by sluice';
      if (/^\{[A-Za-z0-9.-]+\}/.test(hash)) return `unsupported scheme ${/^\{[^}]*\}/.exec(hash)![0]}: nginx implements only {PLAIN}, {SHA} and {SSHA} (case-sensitive)`;
      return 'unrecognised password hash (not {PLAIN}, {SHA}, {SSHA}, $apr1$, $1$, $2a$/$2b$/$2y$, $5$, $6$ or 13-character DES): no password can match';
  }
}

/**
 * Verifies `password` against a stored hash as nginx's auth_basic does. Synchronous and CPU-bound:
 * microseconds for {PLAIN}/{SHA}/{SSHA}, milliseconds for the crypt schemes (see isSlowScheme).
 * A string password is taken as UTF-8; bytes are used as they are (the Basic credentials' bytes).
 * Passwords containing a NUL byte are refused (nginx would truncate them there).
 */
export function verifyPassword(password: string | Uint8Array, hash: string, limits: HashLimits = DEFAULT_HASH_LIMITS): boolean {
  const key: Buffer<ArrayBuffer> = typeof password === 'string' ? Buffer.from(password, 'utf8') : Buffer.from(password);
  if (key.includes(0)) return false;
  // Hashes are compared as bytes; a latin1 string holds one byte per char.
  const stored = Buffer.from(hash, 'utf8');
  const bin = stored.latin1Slice();
  const computed = computeCrypt(key, bin, schemeOf(hash), limits);
  if (computed === null) return false;
  return equalBytes(Buffer.from(computed, 'latin1'), stored);
}

/**
 * crypt(key, stored) for one scheme, as a latin1 byte string; null where nginx/libc would fail or
 * where the result cannot equal the stored hash anyway (non-canonical setting, over the limits).
 */
function computeCrypt(key: Buffer<ArrayBuffer>, bin: string, scheme: HashScheme, limits: HashLimits): string | null {
  switch (scheme) {
    case 'plain':
      return '{PLAIN}' + key.latin1Slice();
    case 'sha1':
      return '{SHA}' + createHash('sha1').update(key).digest('base64');
    case 'ssha': {
      // ngx_crypt_ssha(): the salt is whatever follows the first 20 decoded bytes.
      const decoded = ngxDecodeBase64(bin.slice(6));
      const salt = decoded !== null && decoded.length > 20 ? decoded.subarray(20) : Buffer.alloc(0);
      const digest = createHash('sha1').update(key).update(salt).digest();
      return '{SSHA}' + Buffer.concat([digest, salt]).toString('base64');
    }
    case 'apr1':
    case 'md5-crypt': {
      if (scheme === 'md5-crypt' && key.length > MD5_CRYPT_KEY_MAX) return null;
      const setting = md5Setting(bin);
      if (bin.length !== setting.length + 22 || !bin.startsWith(setting)) return null;
      return apacheMd5(key.latin1Slice(), setting);
    }
    case 'bcrypt': {
      const m = BCRYPT_RE.exec(bin);
      if (m === null || m[1] === 'x') return null;
      const cost = Number(m[2]);
      if (cost < 4 || cost > limits.maxBcryptCost || !canonicalBcryptSalt(bin)) return null;
      // bcryptjs takes a string and hashes its UTF-8 encoding: only valid UTF-8 survives the trip.
      const text = decodeUtf8(key);
      if (text === null) return null;
      return bcryptHashSync(text, bin.slice(0, 29));
    }
    case 'sha256-crypt':
    case 'sha512-crypt': {
      const s = parseShaCryptSetting(bin);
      if (s === null || key.length > SHA_CRYPT_KEY_MAX || s.rounds > limits.maxShaCryptRounds) return null;
      const hashLen = s.id === '5' ? 43 : 86;
      if (bin.length !== s.prefix.length + hashLen || !bin.startsWith(s.prefix)) return null;
      return shaCrypt(key, s);
    }
    case 'des-crypt':
      // Only the first 8 bytes matter, 7 bits each; the function stops at the first NUL.
      return unixCryptTD(key.subarray(0, 8), bin.slice(0, 2));
    case 'unknown':
      return null;
  }
}

/** "$apr1$salt$" / "$1$salt$": magic, salt up to 8 bytes stopping at '$', then '$'. */
function md5Setting(bin: string): string {
  const magic = bin.startsWith('$apr1$') ? '$apr1$' : '$1$';
  let end = magic.length;
  while (end < bin.length && end - magic.length < 8 && bin[end] !== '$') end++;
  return bin.slice(0, end) + '$';
}

function isItoa64(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!ITOA64.includes(s[i]!)) return false;
  return true;
}

/** crypt_blowfish re-encodes the salt: its 22nd character may only carry 2 bits. */
function canonicalBcryptSalt(hash: string): boolean {
  const c = hash[28]!;
  const v = ITOA64_BCRYPT.indexOf(c);
  return v >= 0 && (v & 0x0f) === 0;
}
const ITOA64_BCRYPT = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * ngx_decode_base64(): standard alphabet, decoding stops at the first '=', no padding needed,
 * and a length of 1 mod 4 is an error. Anything after the first '=' is ignored.
 */
export function ngxDecodeBase64(s: string): Buffer | null {
  let len = 0;
  for (; len < s.length; len++) {
    const c = s[len]!;
    if (c === '=') break;
    if (!B64_CHAR.test(c)) return null;
  }
  if (len % 4 === 1) return null;
  return Buffer.from(s.slice(0, len), 'base64');
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8 decoding (a BOM is kept as a character); null for invalid sequences. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Constant-time for equal lengths; a length mismatch returns early (lengths are not secret here). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
