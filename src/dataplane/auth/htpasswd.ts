// htpasswd files and ingress-nginx auth Secrets, read the way nginx's ngx_http_auth_basic_module
// reads auth_basic_user_file, and the password verification entry points (re-exported from
// schemes.ts).
//
// nginx does not pre-parse the file: for every request it scans it with a three-state machine
// (login / passwd / skip) and stops at the first line whose name matches. Its observable rules:
//  - lines end at LF; a line starting with '#' or CR is skipped; an empty line is skipped;
//  - "name:hash[:anything]": the name runs to the first ':', the hash to the next ':', CR or LF;
//  - names are compared byte for byte, so no trimming: " alice:..." is user " alice";
//  - the first matching line wins; later lines for the same name are never read;
//  - a line without ':' whose whole content is a prefix of the requested name makes nginx swallow
//    the *next* line too (the mismatch is detected on the LF itself, which the skip state then
//    doesn't see). parseHtpasswd reproduces this per name and reports it.
// Names and hashes are handled as UTF-8; lines that are not valid UTF-8 are reported and ignored
// (the proxy rejects Basic credentials whose user name is not valid UTF-8, so they could not match).

import { checkHash, DEFAULT_HASH_LIMITS, decodeUtf8, type HashLimits } from './schemes.ts';

export { checkHash, DEFAULT_HASH_LIMITS, isSlowScheme, schemeOf, verifyPassword } from './schemes.ts';
export type { HashLimits, HashScheme } from './schemes.ts';

export interface HtpasswdError {
  /** 1-based line number in the file; for auth-map, the 1-based position of the key in sorted order. */
  line: number;
  message: string;
  /** The user the problem concerns, where there is one. */
  user?: string;
}

export interface Htpasswd {
  /** User name → stored hash, in the order nginx would find them; only the entry nginx would use. */
  users: Map<string, string>;
  /** Problems worth reporting at compile time. None of them is fatal: the users map is usable. */
  errors: HtpasswdError[];
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const HASH = 0x23;

interface RawLine {
  no: number;
  bytes: Uint8Array;
  /** Index of the first ':' or -1. */
  colon: number;
}

/**
 * Parses an htpasswd file (the auth-file Secret's "auth" key) with nginx's rules; see the header
 * comment. Accepts the text or its bytes. Hash problems found by checkHash() are reported too.
 */
export function parseHtpasswd(text: string | Uint8Array, limits: HashLimits = DEFAULT_HASH_LIMITS): Htpasswd {
  const data = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const users = new Map<string, string>();
  const errors: HtpasswdError[] = [];
  const reported = new Map<string, number>(); // user → line nginx uses

  // Split into LF-terminated lines (the final line needs no LF).
  const lines: RawLine[] = [];
  for (let start = 0, no = 1; start < data.length; no++) {
    let end = data.indexOf(LF, start);
    if (end < 0) end = data.length;
    const bytes = data.subarray(start, end);
    lines.push({ no, bytes, colon: bytes.indexOf(COLON) });
    start = end + 1;
  }

  for (let k = 0; k < lines.length; k++) {
    const { no, bytes, colon } = lines[k]!;
    if (bytes.length === 0 || bytes[0] === HASH || bytes[0] === CR) continue; // blank, comment, CR-led
    if (colon < 0) {
      const shown = decodeUtf8(bytes) ?? '<invalid UTF-8>';
      errors.push({ line: no, message: `line has no ':' separating user and password hash; nginx ignores it (${JSON.stringify(shown.slice(0, 40))})` });
      continue;
    }
    if (colon === 0) {
      errors.push({ line: no, message: 'empty user name: nginx never matches it (Basic credentials need a non-empty user)' });
      continue;
    }
    const nameBytes = bytes.subarray(0, colon);
    const name = decodeUtf8(nameBytes);
    if (name === null) {
      errors.push({ line: no, message: 'user name is not valid UTF-8; line ignored' });
      continue;
    }
    if (nameBytes.includes(CR) || nameBytes.includes(0)) {
      errors.push({ line: no, message: 'user name contains a CR or NUL byte; line ignored', user: name });
      continue;
    }
    // The hash runs to the next ':' or CR (LF already ended the line); nginx then reads it as a C string.
    let end = colon + 1;
    while (end < bytes.length && bytes[end] !== COLON && bytes[end] !== CR) end++;
    let hashBytes = bytes.subarray(colon + 1, end);
    const nul = hashBytes.indexOf(0);
    if (nul >= 0) {
      errors.push({ line: no, message: 'password hash contains a NUL byte; nginx reads it only up to there', user: name });
      hashBytes = hashBytes.subarray(0, nul);
    }
    const hash = decodeUtf8(hashBytes);
    if (hash === null) {
      errors.push({ line: no, message: 'password hash is not valid UTF-8; line ignored', user: name });
      continue;
    }

    // nginx's swallow quirk: a maximal run of r preceding ':'-less lines that are prefixes of this
    // name hides this line from nginx when r is odd (each unhidden one hides its successor).
    let r = 0;
    for (let j = k - 1; j >= 0; j--) {
      const prev = lines[j]!;
      if (prev.colon >= 0 || prev.bytes.length === 0 || prev.bytes[0] === HASH || !isPrefix(prev.bytes, nameBytes)) break;
      r++;
    }
    if (r % 2 === 1) {
      errors.push({ line: no, message: `nginx never reads this line for user ${JSON.stringify(name)}: line ${lines[k - 1]!.no} has no ':' and is a prefix of the name, so nginx skips the line after it`, user: name });
      continue;
    }

    const first = reported.get(name);
    if (first !== undefined) {
      errors.push({ line: no, message: `duplicate user ${JSON.stringify(name)}: nginx uses the first entry (line ${first}) and ignores this one`, user: name });
      continue;
    }
    reported.set(name, no);
    users.set(name, hash);
    const problem = checkHash(hash, limits);
    if (problem !== null) errors.push({ line: no, message: problem, user: name });
  }
  return { users, errors };
}

function isPrefix(prefix: Uint8Array, of: Uint8Array): boolean {
  if (prefix.length > of.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== of[i]) return false;
  return true;
}

const STRICT_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes one value of a Secret's `data` (standard, padded base64, as the API server returns it). */
function decodeSecretValue(value: string): Buffer | null {
  return STRICT_B64.test(value) ? Buffer.from(value, 'base64') : null;
}

/**
 * `auth-secret-type: auth-map`: every key of the Secret is a user, its value the hash.
 * ingress-nginx (dumpSecretAuthMap) writes "key:value\n" per key, in Go's random map order, into
 * the file nginx reads. So the hash ends at the value's first ':', CR or LF as nginx would read
 * it; any further lines a value smuggles in would land at a random position in nginx's file and
 * are ignored here, with an error. Keys are valid Secret keys ([-._a-zA-Z0-9]+), so no key can be
 * a comment, contain ':' or repeat.
 */
export function parseAuthMap(data: Readonly<Record<string, string>>, limits: HashLimits = DEFAULT_HASH_LIMITS): Htpasswd {
  const users = new Map<string, string>();
  const errors: HtpasswdError[] = [];
  const keys = Object.keys(data).sort();
  keys.forEach((user, i) => {
    const line = i + 1;
    const raw = decodeSecretValue(data[user]!);
    if (raw === null) {
      errors.push({ line, message: `value of key ${JSON.stringify(user)} is not valid base64`, user });
      return;
    }
    if (user === '') return; // not a valid Secret key; nginx could never match it either
    let end = 0;
    while (end < raw.length && raw[end] !== COLON && raw[end] !== CR && raw[end] !== LF) end++;
    let hashBytes = raw.subarray(0, end);
    const nul = hashBytes.indexOf(0);
    if (nul >= 0) {
      errors.push({ line, message: 'password hash contains a NUL byte; nginx reads it only up to there', user });
      hashBytes = hashBytes.subarray(0, nul);
    }
    const hash = decodeUtf8(hashBytes);
    if (hash === null) {
      errors.push({ line, message: `password hash of user ${JSON.stringify(user)} is not valid UTF-8; ignored`, user });
      return;
    }
    const nl = raw.findIndex((b) => b === LF || b === CR);
    if (nl >= 0 && raw.subarray(nl).some((b) => b !== LF && b !== CR && b !== 0x20 && b !== 0x09)) {
      errors.push({ line, message: `value of user ${JSON.stringify(user)} continues after a line break; ingress-nginx would add that text as extra htpasswd lines in random order, sluice ignores it`, user });
    }
    users.set(user, hash);
    const problem = checkHash(hash, limits);
    if (problem !== null) errors.push({ line, message: problem, user });
  });
  return { users, errors };
}

export type AuthSecretType = 'auth-file' | 'auth-map';

/**
 * A basic-auth Secret's `data` (base64 values, as returned by the API server) → users, per
 * `nginx.ingress.kubernetes.io/auth-secret-type` (default auth-file: the htpasswd file in key
 * "auth"). A missing "auth" key is an error with an empty user map (ingress-nginx denies the
 * location); so is an unknown secret type.
 */
export function parseAuthSecret(data: Readonly<Record<string, string>>, type: string = 'auth-file', limits: HashLimits = DEFAULT_HASH_LIMITS): Htpasswd {
  if (type === 'auth-map') return parseAuthMap(data, limits);
  if (type !== 'auth-file') {
    return { users: new Map(), errors: [{ line: 0, message: `invalid auth-secret-type ${JSON.stringify(type)}: must be 'auth-file' or 'auth-map'` }] };
  }
  const value = data['auth'];
  if (value === undefined) return { users: new Map(), errors: [{ line: 0, message: 'the Secret has no key "auth" (auth-secret-type auth-file)' }] };
  const raw = decodeSecretValue(value);
  if (raw === null) return { users: new Map(), errors: [{ line: 0, message: 'the value of key "auth" is not valid base64' }] };
  return parseHtpasswd(raw, limits);
}
