import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkHash, DEFAULT_HASH_LIMITS, isSlowScheme, ngxDecodeBase64, schemeOf, verifyPassword, type HashScheme } from './schemes.ts';

interface Vector {
  tool: string;
  cmd: string;
  pwHex: string;
  pw?: string;
  hash: string;
  note?: string;
}

// Hashes made by htpasswd, openssl passwd, glibc's crypt() and hashlib: see testdata/gen-vectors.py.
const vectors: Vector[] = JSON.parse(readFileSync(new URL('./testdata/vectors.json', import.meta.url), 'utf8')).vectors;
const bytes = (v: Vector) => Buffer.from(v.pwHex, 'hex');

/** Flips the last byte of the password (or appends one to an empty password). */
function wrong(pw: Buffer): Buffer {
  if (pw.length === 0) return Buffer.from('x');
  const w = Buffer.from(pw);
  w[w.length - 1] = w[w.length - 1]! ^ 1;
  return w;
}

describe('vectors from real tools', () => {
  it('covers every supported scheme', () => {
    const seen = new Set(vectors.map((v) => schemeOf(v.hash)));
    for (const s of ['sha1', 'ssha', 'apr1', 'md5-crypt', 'bcrypt', 'sha256-crypt', 'sha512-crypt', 'des-crypt'] as HashScheme[]) {
      assert.ok(seen.has(s), s);
    }
    assert.ok(!seen.has('unknown'));
  });

  for (const v of vectors) {
    const label = `${v.cmd} ${JSON.stringify(v.pw ?? `0x${v.pwHex}`).slice(0, 30)}`;
    it(label, () => {
      const pw = bytes(v);
      assert.equal(checkHash(v.hash), null);
      // Validity of the string form for UTF-8 passwords, the raw bytes for everything.
      if (v.pw !== undefined) assert.equal(verifyPassword(v.pw, v.hash), true);
      const expectBytesOk = !(schemeOf(v.hash) === 'bcrypt' && v.pw === undefined);
      assert.equal(verifyPassword(pw, v.hash), expectBytesOk);
      // A wrong password fails, except where the scheme truncates past the changed byte.
      const truncates = (schemeOf(v.hash) === 'des-crypt' && pw.length > 8) || (schemeOf(v.hash) === 'bcrypt' && pw.length > 72);
      assert.equal(verifyPassword(wrong(pw), v.hash), truncates);
    });
  }
});

const find = (pred: (v: Vector) => boolean): Vector => {
  const v = vectors.find(pred);
  assert.ok(v);
  return v;
};

describe('scheme edge cases', () => {
  it('DES uses only the first 8 bytes', () => {
    const v = find((x) => x.hash.startsWith('ab') && x.pw === 'password123');
    assert.equal(verifyPassword('password', v.hash), true);
    assert.equal(verifyPassword('password-and-more', v.hash), true);
    assert.equal(verifyPassword('passwor', v.hash), false);
    assert.equal(verifyPassword('passwore', v.hash), false);
  });

  it('DES drops the high bit of each byte, like glibc and musl', () => {
    const v = find((x) => x.hash.startsWith('ab') && x.pw === 'été');
    assert.equal(verifyPassword('été', v.hash), true);
    // é = C3 A9; with bit 7 cleared: 43 29 = "C)"
    assert.equal(verifyPassword('C)tC)', v.hash), true);
    assert.equal(verifyPassword('ete', v.hash), false);
  });

  it('bcrypt uses the first 72 bytes', () => {
    const long = find((x) => x.pw === 'x'.repeat(72) + 'tail');
    const exact = find((x) => x.pw === 'x'.repeat(72));
    assert.equal(verifyPassword('x'.repeat(72), long.hash), true);
    assert.equal(verifyPassword('x'.repeat(72) + 'anything else', exact.hash), true);
    const short = find((x) => x.pw === 'x'.repeat(71));
    assert.equal(verifyPassword('x'.repeat(72), short.hash), false);
  });

  it('bcrypt: a multi-byte character straddling byte 72 counts only by its first byte', () => {
    const v = find((x) => x.pw === 'a'.repeat(71) + 'é');
    assert.equal(verifyPassword('a'.repeat(71) + 'è', v.hash), true); // C3 A8: same first byte C3
    assert.equal(verifyPassword('a'.repeat(71) + 'ä', v.hash), true); // C3 A4
    assert.equal(verifyPassword('a'.repeat(71) + 'ā', v.hash), false); // C4 81
  });

  it('bcrypt $2a$, $2b$ and $2y$ compute the same hash, and keep their prefix', () => {
    for (const pw of ['', 'password', 'pässwörd€']) {
      const [a, b, y] = ['$2a$', '$2b$', '$2y$'].map((p) => find((x) => x.pw === pw && x.hash.startsWith(p + '04$abcdefghijklmnopqrstuu')).hash);
      assert.equal(a!.slice(4), b!.slice(4));
      assert.equal(y!.slice(4), b!.slice(4));
      for (const h of [a!, b!, y!]) assert.equal(verifyPassword(pw, h), true);
      // The prefix is part of the compared string.
      assert.equal(verifyPassword(pw, '$2y$' + b!.slice(4)), true);
    }
  });

  it('bcrypt $2x$ is reported and never verifies', () => {
    const b = find((x) => x.pw === 'password' && x.hash.startsWith('$2b$04$'));
    const x = '$2x$' + b.hash.slice(4);
    assert.match(checkHash(x)!, /\$2x\$/);
    assert.equal(verifyPassword('password', x), false);
  });

  it('bcrypt cost limits: below 4 never matches, above the limit is refused', () => {
    const b = find((x) => x.pw === 'password' && x.hash.startsWith('$2b$04$'));
    assert.match(checkHash('$2b$03$' + b.hash.slice(7))!, /below 4/);
    assert.match(checkHash('$2b$12$' + b.hash.slice(7))!, /exceeds/);
    assert.equal(checkHash('$2b$12$' + b.hash.slice(7), { ...DEFAULT_HASH_LIMITS, maxBcryptCost: 12 }), null);
    assert.equal(verifyPassword('password', '$2b$31$' + b.hash.slice(7)), false); // refused, not computed
  });

  it('bcrypt: a non-canonical last salt character is reported (libc re-encodes it, so nothing matches)', () => {
    const b = find((x) => x.pw === 'password' && x.hash.startsWith('$2b$04$abcdefghijklmnopqrstuu'));
    const bad = b.hash.slice(0, 28) + 'v' + b.hash.slice(29); // 'u' carries 0 low bits, 'v' carries 1
    assert.match(checkHash(bad)!, /salt is not canonical/);
    assert.equal(verifyPassword('password', bad), false);
  });

  it('bcrypt cannot verify passwords that are not valid UTF-8 (bcryptjs hashes strings)', () => {
    const v = find((x) => x.hash.startsWith('$2b$') && x.pw === 'password');
    assert.equal(verifyPassword(Buffer.from('password'), v.hash), true);
    assert.equal(verifyPassword(Buffer.from([0xe9, 0x74, 0xe9]), v.hash), false);
  });

  it('SHA-crypt: passwords of 32 and 64 bytes (where unixcrypt@3.0.4 is wrong)', () => {
    for (const n of [32, 64]) {
      for (const id of ['$5$', '$6$']) {
        const v = find((x) => x.pw === 'k'.repeat(n) && x.hash.startsWith(id + 'saltstring$'));
        assert.equal(verifyPassword('k'.repeat(n), v.hash), true);
      }
    }
  });

  it('SHA-crypt: musl\'s own self-test vector (a key with control and 8-bit bytes)', () => {
    const key = Buffer.from('Xy01@#\x01\x02\x80\x7f\xff\r\n\x81\t !', 'latin1');
    const musl = '$6$rounds=1234$abc0123456789$BCpt8zLrc/RcyuXmCDOE1ALqMXB2MH6n1g891HhFj8.w7LxGv.FTkqq6Vxc/km3Y0jE0j24jY5PIv/oOu6reg1';
    assert.equal(find((x) => x.note === "musl's SHA-512 self-test").hash, musl);
    assert.equal(verifyPassword(key, musl), true);
    // ... and musl's MD5-crypt self-test.
    assert.equal(verifyPassword(key, '$1$abcd0123$9Qcg8DyviekV3tDGMZynJ1'), true);
  });

  it('SHA-crypt: salts beyond 16 characters are truncated by libc, so the stored hash shows 16', () => {
    const v = find((x) => x.note === 'salt truncated to 16' && x.pw === 'password');
    assert.ok(v.hash.startsWith('$5$rounds=1000$0123456789abcdef$'));
    assert.equal(verifyPassword('password', v.hash), true);
    // The untruncated form can never match (nginx compares the whole string).
    const long = v.hash.replace('0123456789abcdef$', '0123456789abcdefXYZ$');
    assert.equal(verifyPassword('password', long), false);
    assert.match(checkHash(long)!, /canonical/);
  });

  it('SHA-crypt: non-canonical rounds never match (musl prints the clamped value)', () => {
    const v = find((x) => x.hash.startsWith('$6$rounds=10000$saltsalt$') && x.pw === 'password');
    for (const r of ['010000', '999', '0']) {
      const h = v.hash.replace('rounds=10000$', `rounds=${r}$`);
      assert.equal(verifyPassword('password', h), false, r);
      assert.notEqual(checkHash(h), null, r);
    }
    assert.match(checkHash('$6$rounds=$salt$' + 'x'.repeat(86))!, /malformed/);
    assert.match(checkHash('$6$rounds=2000000$salt$' + 'x'.repeat(86))!, /exceed/);
  });

  it('SHA-crypt: keys over 256 bytes fail (musl\'s limit)', () => {
    const v = find((x) => x.hash.startsWith('$6$rounds=10000$saltsalt$') && x.pw === 'password');
    assert.equal(verifyPassword('a'.repeat(257), v.hash), false);
  });

  it('MD5-crypt and apr1: salts of at most 8 characters', () => {
    const v = find((x) => x.hash.startsWith('$apr1$abcd0123$') && x.pw === 'password');
    const long = v.hash.replace('$abcd0123$', '$abcd01234$');
    assert.match(checkHash(long)!, /at most 8/);
    assert.equal(verifyPassword('password', long), false);
    assert.equal(schemeOf('$1$abcd0123$9Qcg8DyviekV3tDGMZynJ1'), 'md5-crypt');
    // A 9th salt character where '$' belongs: libc stops the salt at 8, so nothing matches.
    const ninth = '$1$abcd0123X9Qcg8DyviekV3tDGMZynJ1';
    assert.match(checkHash(ninth)!, /at most 8/);
    assert.equal(verifyPassword(Buffer.from('Xy01@#\x01\x02\x80\x7f\xff\r\n\x81\t !', 'latin1'), ninth), false);
  });

  it('{SHA} is base64(sha1(password)) and case-sensitive in its prefix', () => {
    const h = '{SHA}' + createHash('sha1').update('secret').digest('base64');
    assert.equal(verifyPassword('secret', h), true);
    assert.equal(verifyPassword('secret', '{sha}' + h.slice(5)), false);
    assert.equal(schemeOf('{sha}' + h.slice(5)), 'unknown');
    assert.match(checkHash('{sha}' + h.slice(5))!, /\{sha\}/);
    assert.match(checkHash('{SHA}abc')!, /20-byte/);
  });

  it('{SSHA}: salt of any length, decoded as nginx decodes base64', () => {
    const salt = Buffer.from('NaCl');
    const h = '{SSHA}' + Buffer.concat([createHash('sha1').update('pw').update(salt).digest(), salt]).toString('base64');
    assert.equal(verifyPassword('pw', h), true);
    assert.equal(verifyPassword('pW', h), false);
    assert.match(checkHash('{SSHA}AAAA')!, /SHA-1 digest followed by a salt/);
    assert.equal(verifyPassword('pw', h.slice(0, -1)), false); // padding removed: re-encoding differs
  });

  it('{PLAIN}: compared byte for byte', () => {
    assert.equal(verifyPassword('secret', '{PLAIN}secret'), true);
    assert.equal(verifyPassword('', '{PLAIN}'), true);
    assert.equal(verifyPassword('Secret', '{PLAIN}secret'), false);
    assert.equal(verifyPassword('pässwörd', '{PLAIN}pässwörd'), true);
    assert.equal(verifyPassword(Buffer.from('pässwörd', 'latin1'), '{PLAIN}pässwörd'), false);
    assert.equal(checkHash('{PLAIN}'), null);
  });

  it('passwords containing NUL are refused', () => {
    assert.equal(verifyPassword('secret\0', '{PLAIN}secret'), false);
    assert.equal(verifyPassword('secret\0junk', '{PLAIN}secret\0junk'), false);
  });

  it('schemeOf follows nginx then musl dispatch order', () => {
    const cases: [string, HashScheme][] = [
      ['$apr1$x$y', 'apr1'],
      ['{PLAIN}x', 'plain'],
      ['{SSHA}x', 'ssha'],
      ['{SHA}x', 'sha1'],
      ['$1$x$y', 'md5-crypt'],
      ['$2y$05$x', 'bcrypt'],
      ['$2x$05$x', 'bcrypt'],
      ['$5$x$y', 'sha256-crypt'],
      ['$6$x$y', 'sha512-crypt'],
      ['abJnggxhB/yWI', 'des-crypt'],
      ['abJnggxhB/yWIx', 'unknown'],
      ['$y$j9T$abc$def', 'unknown'],
      ['_J9..abcdIPPmXD22F8s', 'unknown'],
      ['', 'unknown'],
    ];
    for (const [h, s] of cases) assert.equal(schemeOf(h), s, h);
    assert.equal(isSlowScheme('plain'), false);
    assert.equal(isSlowScheme('ssha'), false);
    assert.equal(isSlowScheme('bcrypt'), true);
    assert.equal(isSlowScheme('des-crypt'), true);
  });

  it('checkHash explains unsupported schemes', () => {
    assert.match(checkHash('')!, /empty/);
    assert.match(checkHash('$y$j9T$abc$def')!, /yescrypt/);
    assert.match(checkHash('_J9..abcdIPPmXD22F8s')!, /BSDi/);
    assert.match(checkHash('{MD5}abc')!, /\{MD5\}/);
    assert.match(checkHash('not a hash')!, /unrecognised/);
    for (const h of ['', '$y$j9T$abc$def', 'not a hash']) assert.equal(verifyPassword('x', h), false);
  });

  it('ngxDecodeBase64 is as lax as nginx: stops at "=", padding optional, 1 mod 4 invalid', () => {
    assert.deepEqual(ngxDecodeBase64('YWJj'), Buffer.from('abc'));
    assert.deepEqual(ngxDecodeBase64('YWI'), Buffer.from('ab'));
    assert.deepEqual(ngxDecodeBase64('YWI=junk'), Buffer.from('ab'));
    assert.equal(ngxDecodeBase64('YWJjZ'), null);
    assert.equal(ngxDecodeBase64('YW-j'), null);
  });
});
