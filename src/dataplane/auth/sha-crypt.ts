// SHA-crypt ($5$ SHA-256, $6$ SHA-512): Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512"
// specification, with the parameter handling of musl's crypt_sha256.c / crypt_sha512.c, because
// ingress-nginx's image is Alpine-based and nginx hands these hashes to musl's crypt_r().
//
// Written here rather than taken from npm: the one maintained package (unixcrypt 3.0.4) produces
// wrong hashes for passwords whose length is a multiple of the digest size (32 bytes for $5$,
// 64 for $6$); checked against glibc/libxcrypt, see sha-crypt.test.ts. The hashing itself is
// node:crypto's; this file only schedules it.
//
// musl deviations from the reference, all mirrored:
//  - keys longer than 256 bytes are rejected (crypt returns "*", so nginx answers 401);
//  - "rounds=" must be followed by a decimal digit and terminated by '$', else rejected (the
//    reference would treat a malformed rounds field as salt);
//  - rounds are clamped to [1000, 9999999] (the reference: [1000, 999999999]) and printed back
//    as "rounds=N$" whenever the setting had a rounds field;
//  - salt characters '\n' and ':' are rejected.
// The result is only ever compared with the stored hash as a whole (as nginx does with strcmp),
// so clamping or salt truncation simply makes a non-canonical stored hash unmatchable.

import { createHash, hash } from 'node:crypto';

export const SHA_CRYPT_KEY_MAX = 256;
export const SHA_CRYPT_SALT_MAX = 16;
export const SHA_CRYPT_ROUNDS_DEFAULT = 5000;
export const SHA_CRYPT_ROUNDS_MIN = 1000;
export const SHA_CRYPT_ROUNDS_MAX = 9_999_999;

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Byte order of the final base64-like encoding: triples, then the leftover byte(s). */
const PERM_256 = [0, 10, 20, 21, 1, 11, 12, 22, 2, 3, 13, 23, 24, 4, 14, 15, 25, 5, 6, 16, 26, 27, 7, 17, 18, 28, 8, 9, 19, 29];
const PERM_512 = [
  0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26, 6, 27, 48, 28, 49, 7, 50, 8, 29, 9, 30, 51, 31, 52, 10,
  53, 11, 32, 12, 33, 54, 34, 55, 13, 56, 14, 35, 15, 36, 57, 37, 58, 16, 59, 17, 38, 18, 39, 60, 40, 61, 19, 62, 20, 41,
];

/** A parsed `$5$`/`$6$` setting, as musl reads it. */
export interface ShaCryptSetting {
  /** '5' or '6'. */
  id: '5' | '6';
  rounds: number;
  /** Whether the setting had a rounds field (then the output repeats it, canonicalised). */
  customRounds: boolean;
  /** Salt bytes actually used: at most 16, up to the first '$'. */
  salt: Buffer;
  /** The output prefix musl would print: `$6$[rounds=N$]salt$`. */
  prefix: string;
}

/**
 * Parses a SHA-crypt setting (or full hash) the way musl does; null where musl's crypt would fail.
 * `setting` is a string of bytes (latin1: one char per byte), as the hash is stored on disk.
 */
export function parseShaCryptSetting(setting: string): ShaCryptSetting | null {
  if (setting.length < 3 || setting[0] !== '$' || (setting[1] !== '5' && setting[1] !== '6') || setting[2] !== '$') {
    return null;
  }
  const id = setting[1] as '5' | '6';
  let pos = 3;
  let rounds = SHA_CRYPT_ROUNDS_DEFAULT;
  let customRounds = false;
  if (setting.startsWith('rounds=', pos)) {
    pos += 7;
    const start = pos;
    while (pos < setting.length && setting.charCodeAt(pos) >= 0x30 && setting.charCodeAt(pos) <= 0x39) pos++;
    if (pos === start || setting[pos] !== '$') return null;
    // strtoul saturates; anything this long is above the clamp anyway.
    const digits = setting.slice(start, pos);
    const u = digits.length > 15 ? Number.MAX_SAFE_INTEGER : Number(digits);
    rounds = Math.min(Math.max(u, SHA_CRYPT_ROUNDS_MIN), SHA_CRYPT_ROUNDS_MAX);
    customRounds = true;
    pos++;
  }
  let end = pos;
  while (end < setting.length && end - pos < SHA_CRYPT_SALT_MAX && setting[end] !== '$') {
    if (setting[end] === '\n' || setting[end] === ':') return null;
    end++;
  }
  const saltText = setting.slice(pos, end);
  return {
    id,
    rounds,
    customRounds,
    salt: Buffer.from(saltText, 'latin1'),
    prefix: `$${id}$${customRounds ? `rounds=${rounds}$` : ''}${saltText}$`,
  };
}

/** Digest of `data` repeated to fill `length` bytes (steps 16 and 20 of the specification). */
function repeatTo(digest: Buffer, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let off = 0; off < length; off += digest.length) digest.copy(out, off, 0, Math.min(digest.length, length - off));
  return out;
}

/**
 * crypt(3) for `$5$`/`$6$` as musl computes it. `key` is the password's bytes; returns the full
 * hash string (latin1), or null where musl's crypt would fail (too long a key, bad setting).
 */
export function shaCrypt(key: Uint8Array, setting: string | ShaCryptSetting): string | null {
  const s = typeof setting === 'string' ? parseShaCryptSetting(setting) : setting;
  if (s === null || key.length > SHA_CRYPT_KEY_MAX) return null;
  const algorithm = s.id === '5' ? 'sha256' : 'sha512';
  const size = s.id === '5' ? 32 : 64;
  const salt = s.salt;
  const klen = key.length;

  // B = H(key salt key)
  const b = createHash(algorithm).update(key).update(salt).update(key).digest();

  // A = H(key salt B-repeated-to-klen, then per bit of klen: B if 1 else key)
  const a = createHash(algorithm).update(key).update(salt);
  let n = klen;
  for (; n > size; n -= size) a.update(b);
  a.update(b.subarray(0, n));
  for (let i = klen; i > 0; i >>>= 1) a.update((i & 1) !== 0 ? b : key);
  let md = a.digest();

  // P = H(key repeated klen times) stretched to klen bytes
  const dp = createHash(algorithm);
  for (let i = 0; i < klen; i++) dp.update(key);
  const p = repeatTo(dp.digest(), klen);

  // S = H(salt repeated 16 + A[0] times) stretched to the salt's length
  const ds = createHash(algorithm);
  const saltRepeats = 16 + md[0]!;
  for (let i = 0; i < saltRepeats; i++) ds.update(salt);
  const sBytes = repeatTo(ds.digest(), salt.length);

  // The rounds: one-shot hash() over a reused scratch buffer is about twice as fast as a
  // createHash() object per round.
  const scratch = Buffer.allocUnsafe(2 * size + 2 * klen + sBytes.length);
  for (let i = 0; i < s.rounds; i++) {
    let len = (i & 1 ? p : md).copy(scratch, 0);
    if (i % 3) len += sBytes.copy(scratch, len);
    if (i % 7) len += p.copy(scratch, len);
    len += (i & 1 ? md : p).copy(scratch, len);
    md = hash(algorithm, scratch.subarray(0, len), 'buffer');
  }

  let out = s.prefix;
  const perm = s.id === '5' ? PERM_256 : PERM_512;
  for (let i = 0; i < perm.length; i += 3) {
    let v = (md[perm[i]!]! << 16) | (md[perm[i + 1]!]! << 8) | md[perm[i + 2]!]!;
    for (let j = 0; j < 4; j++, v >>>= 6) out += ITOA64[v & 63];
  }
  if (s.id === '5') {
    let v = (md[31]! << 8) | md[30]!;
    for (let j = 0; j < 3; j++, v >>>= 6) out += ITOA64[v & 63];
  } else {
    let v = md[63]!;
    for (let j = 0; j < 2; j++, v >>>= 6) out += ITOA64[v & 63];
  }
  return out;
}
