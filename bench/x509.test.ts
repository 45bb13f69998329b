// The DER certificate writer must produce certificates that OpenSSL (node:crypto) accepts.
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { der, oid, selfSignedCert } from './lib/x509.ts';

test('DER lengths and OIDs', () => {
  assert.deepEqual([...der(0x04, Buffer.alloc(3))].slice(0, 2), [0x04, 3]);
  assert.deepEqual([...der(0x04, Buffer.alloc(200))].slice(0, 3), [0x04, 0x81, 200]);
  assert.deepEqual([...der(0x04, Buffer.alloc(300))].slice(0, 4), [0x04, 0x82, 1, 44]);
  assert.deepEqual([...oid('1.2.840.113549.1.1.11')], [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]);
});

test('self-signed certificate parses and verifies', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = selfSignedCert('s-0042.scale.test', privateKey);
  const c = new X509Certificate(pem);
  assert.equal(c.subject, 'CN=s-0042.scale.test');
  assert.equal(c.subjectAltName, 'DNS:s-0042.scale.test');
  assert.ok(c.verify(publicKey));
  assert.ok(c.checkHost('s-0042.scale.test'));
  assert.ok(new Date(c.validTo).getTime() > Date.now());
  assert.ok(c.checkPrivateKey(privateKey));
});
