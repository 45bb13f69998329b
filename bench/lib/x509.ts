// Minimal X.509 v3 certificate writer (DER by hand + node:crypto signatures), so that the scale
// test can create thousands of distinct TLS Secrets in seconds instead of running openssl
// thousands of times. Self-signed, SHA-256 with RSA, one DNS subjectAltName.

import { createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

const seq = (...c: Buffer[]): Buffer => der(0x30, ...c);
const set = (...c: Buffer[]): Buffer => der(0x31, ...c);

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const b: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) b.unshift(0x80 | (v & 0x7f));
    out.push(...b);
  }
  return der(0x06, Buffer.from(out));
}

/** Positive INTEGER from big-endian bytes. */
function integer(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && b[1]! < 0x80) b = b.subarray(1);
  if (b[0]! >= 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return der(0x02, b);
}

function utcTime(d: Date): Buffer {
  const p = (n: number): string => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return der(0x17, Buffer.from(s, 'ascii'));
}

const name = (cn: string): Buffer => seq(set(seq(oid('2.5.4.3'), der(0x0c, Buffer.from(cn, 'utf8')))));

const SHA256_RSA = seq(oid('1.2.840.113549.1.1.11'), der(0x05));

/** PEM text of a self-signed certificate for `host` (CN and DNS SAN), signed by `key` (RSA). */
export function selfSignedCert(host: string, key: KeyObject, days = 365, now = new Date()): string {
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const san = seq(oid('2.5.29.17'), der(0x04, seq(der(0x82, Buffer.from(host, 'ascii')))));
  const tbs = seq(
    der(0xa0, integer(Buffer.from([2]))),
    integer(randomBytes(16)),
    SHA256_RSA,
    name(host),
    seq(utcTime(new Date(now.getTime() - 3600_000)), utcTime(new Date(now.getTime() + days * 86400_000))),
    name(host),
    spki,
    der(0xa3, seq(san)),
  );
  const sig = sign('sha256', tbs, key);
  const cert = seq(tbs, SHA256_RSA, der(0x03, Buffer.from([0]), sig));
  const b64 = cert.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
