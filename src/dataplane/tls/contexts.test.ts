import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContextStore } from './contexts.ts';
import { parseGlobalConfig } from '../../compile/config.ts';
import type { Certificate, RouteTable } from '../../routes/table.ts';
import { makeCert } from '../../../test/helpers/certs.ts';

const cfg = parseGlobalConfig(undefined).config;

function table(certificates: Certificate[], defaultCertificate: string | null = null): RouteTable {
  return { global: cfg, certificates, defaultCertificate } as unknown as RouteTable;
}

function cert(id: string, pem: { cert: string; key: string }, hosts: string[]): Certificate {
  return { id, secret: `ns/${id}`, cert: pem.cert, key: pem.key, notAfter: '', hosts };
}

test('contexts are built on first lookup, cached, exact before wildcard, unknown names get the default', async () => {
  const [gen, a, wild, def] = await Promise.all([makeCert(['generated']), makeCert(['a.test']), makeCert(['*.w.test']), makeCert(['default.test'])]);
  const errors: string[] = [];
  const store = new ContextStore(gen, cfg, (m) => errors.push(m));
  store.install(table([cert('a', a, ['a.test']), cert('w', wild, ['*.w.test', 'x.w.test']), cert('d', def, ['default.test'])], 'd'));
  assert.equal(store.defaultPem.cert, def.cert, 'the default certificate is the table default');
  const ca = store.lookup('A.test');
  assert.notEqual(ca, store.defaultContext);
  assert.equal(store.lookup('a.test'), ca, 'built once, then cached');
  const cw = store.lookup('y.w.test');
  assert.notEqual(cw, ca);
  assert.equal(store.lookup('x.w.test'), cw, 'an exact name of the same certificate shares its context');
  assert.equal(store.lookup('deep.y.w.test'), store.defaultContext, 'a wildcard covers one label');
  assert.equal(store.lookup('unknown.test'), store.defaultContext);
  // A new table keeps the contexts of unchanged certificates.
  store.install(table([cert('a', a, ['a.test'])], null));
  assert.equal(store.lookup('a.test'), ca);
  assert.equal(store.defaultPem.cert, gen.cert, 'back to the generated certificate');
  assert.deepEqual(errors, []);
});

test('a certificate whose context cannot be built serves the default, reported once', async () => {
  const [gen, a, other] = await Promise.all([makeCert(['generated']), makeCert(['a.test']), makeCert(['other.test'])]);
  const errors: string[] = [];
  const store = new ContextStore(gen, cfg, (m) => errors.push(m));
  store.install(table([cert('bad', { cert: a.cert, key: other.key }, ['a.test'])]));
  assert.equal(store.lookup('a.test'), store.defaultContext);
  assert.equal(store.lookup('a.test'), store.defaultContext);
  assert.equal(errors.length, 1, errors.join('\n'));
});
