// End to end: the real binary, real backends, routing by host and path as the Kubernetes spec
// defines it, and the request the backend receives.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend } from '../helpers/backend.ts';
import { backendObjects, ingress, configMap } from '../helpers/objects.ts';
import { request } from '../helpers/client.ts';

describe('routing end to end', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  const be: Record<string, Backend> = {};

  before(async () => {
    for (const n of ['apple', 'banana', 'cherry', 'date', 'default', 'wild', 'nohost', 'older', 'newer']) be[n] = await startBackend(n);
    dir = new ManifestDir();
    const objs: object[] = [];
    for (const n of Object.keys(be)) objs.push(...backendObjects('fruit', n, [be[n]!.port]));
    dir.write('backends.yaml', objs);
    dir.write('ingresses.yaml', [
      ingress('fruit', 'hosts', [
        { host: 'apple.test', paths: [{ path: '/', service: 'apple' }] },
        { host: 'Banana.Test', paths: [{ path: '/', service: 'banana' }] },
        { host: '*.wild.test', paths: [{ path: '/', service: 'wild' }] },
        { host: 'exact.wild.test', paths: [{ path: '/', service: 'apple' }] },
      ]),
      ingress('fruit', 'paths', [
        {
          host: 'paths.test',
          paths: [
            { path: '/foo', pathType: 'Prefix', service: 'apple' },
            { path: '/foo', pathType: 'Exact', service: 'banana' },
            { path: '/foo/bar/', pathType: 'Prefix', service: 'cherry' },
            { path: '/exact', pathType: 'Exact', service: 'date' },
            { path: '/impl', pathType: 'ImplementationSpecific', service: 'cherry' },
          ],
        },
      ], { defaultBackend: { service: 'default', port: 80 } }),
      ingress('fruit', 'no-host', [{ paths: [{ path: '/nohost', service: 'nohost' }] }]),
      ingress('fruit', 'older', [{ host: 'merge.test', paths: [{ path: '/a', service: 'older' }, { path: '/same', service: 'older' }] }], { creationTimestamp: '2024-01-01T00:00:00Z' }),
      ingress('fruit', 'newer', [{ host: 'merge.test', paths: [{ path: '/b', service: 'newer' }, { path: '/same', service: 'newer' }] }], { creationTimestamp: '2025-01-01T00:00:00Z' }),
      ingress('fruit', 'other-class', [{ host: 'other.test', paths: [{ path: '/', service: 'apple' }] }], { className: 'nginx' }),
      ingress('fruit', 'classless', [{ host: 'classless.test', paths: [{ path: '/', service: 'apple' }] }], { className: null }),
    ]);
    dir.write('config.yaml', [configMap('sluice', 'config', { 'proxy-read-timeout': '30' })]);
    sluice = await startSluice({ manifests: [dir.path], args: ['--configmap', 'sluice/config'] });
  });

  after(async () => {
    await sluice?.stop();
    for (const b of Object.values(be)) await b.close();
    dir?.cleanup();
  });

  const who = async (host: string, path: string): Promise<string | number> => {
    const r = await request(sluice.httpPort, path, { host });
    return r.status === 200 ? (r.json().backend as string) : r.status;
  };

  test('exact hosts match case-insensitively, with the port stripped', async () => {
    assert.equal(await who('apple.test', '/'), 'apple');
    assert.equal(await who('APPLE.test:8080', '/x'), 'apple');
    assert.equal(await who('banana.test', '/'), 'banana');
  });

  test('a wildcard matches exactly one label, and an exact host beats it', async () => {
    assert.equal(await who('a.wild.test', '/'), 'wild');
    assert.equal(await who('exact.wild.test', '/'), 'apple');
    // Two labels, or the bare domain, do not match *.wild.test; they fall to the catch-all (404).
    assert.equal(await who('a.b.wild.test', '/'), 404);
    assert.equal(await who('wild.test', '/'), 404);
  });

  test('Exact beats Prefix on the same path, longest Prefix wins, element-wise', async () => {
    assert.equal(await who('paths.test', '/foo'), 'banana'); // Exact /foo
    assert.equal(await who('paths.test', '/foo/'), 'apple'); // Prefix /foo (Exact /foo does not match /foo/)
    assert.equal(await who('paths.test', '/foo/x'), 'apple');
    assert.equal(await who('paths.test', '/foo/bar'), 'cherry'); // Prefix /foo/bar/ matches /foo/bar
    assert.equal(await who('paths.test', '/foo/bar/baz'), 'cherry');
    assert.equal(await who('paths.test', '/foobar'), 'default'); // not an element-wise prefix
    assert.equal(await who('paths.test', '/exact'), 'date');
    assert.equal(await who('paths.test', '/exact/'), 'default'); // Exact does not match a trailing slash
    assert.equal(await who('paths.test', '/impl/x'), 'cherry'); // ImplementationSpecific = Prefix
    assert.equal(await who('paths.test', '/implx'), 'default');
  });

  test('paths are matched after normalisation but forwarded as sent', async () => {
    const r = await request(sluice.httpPort, '/foo/./bar//baz?q=%2F&x=1', { host: 'paths.test' });
    assert.equal(r.json().backend, 'cherry');
    assert.equal(r.json().url, '/foo/./bar//baz?q=%2F&x=1');
    const r2 = await request(sluice.httpPort, '/%66oo', { host: 'paths.test' });
    assert.equal(r2.json().backend, 'banana'); // %66 = f: Exact /foo
  });

  test('rules without a host serve unknown hosts; the Ingress default backend serves unmatched paths', async () => {
    assert.equal(await who('whatever.test', '/nohost/x'), 'nohost');
    assert.equal(await who('paths.test', '/nothing'), 'default');
    // A host with rules does not fall through to rules without host.
    assert.equal(await who('apple.test', '/nohost'), 'apple');
  });

  test('no match and no default backend: 404 with a small body', async () => {
    const r = await request(sluice.httpPort, '/', { host: 'unknown.test' });
    assert.equal(r.status, 404);
    assert.match(r.text, /404 Not Found/);
    assert.ok(r.body.length < 512);
  });

  test('several Ingresses for one host merge; on a duplicate path the oldest wins', async () => {
    assert.equal(await who('merge.test', '/a'), 'older');
    assert.equal(await who('merge.test', '/b'), 'newer');
    assert.equal(await who('merge.test', '/same'), 'older');
    const errs = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: { object: { name: string }; reason: string; message: string }[] };
    const conflict = errs.diagnostics.find((d) => d.object.name === 'newer' && d.reason === 'PathConflict');
    assert.ok(conflict, 'the newer Ingress carries a PathConflict error');
    assert.match(conflict.message, /fruit\/older/);
  });

  test('Ingresses of another class, or with no class, are not served', async () => {
    assert.equal(await who('other.test', '/'), 404);
    assert.equal(await who('classless.test', '/'), 404);
  });

  test('the backend sees Host, X-Forwarded-*, X-Real-IP, X-Request-ID; hop-by-hop headers are removed', async () => {
    const r = await request(sluice.httpPort, '/hdr?a=1', {
      host: 'apple.test',
      headers: {
        'x-forwarded-for': '203.0.113.7',
        connection: 'keep-alive, x-hop',
        'x-hop': 'secret',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        proxy: 'http://evil',
        'x-custom': 'kept',
      },
    });
    assert.equal(r.status, 200);
    const h = r.json().headers as Record<string, string>;
    assert.equal(h.host, 'apple.test');
    assert.equal(h['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
    assert.equal(h['x-original-forwarded-for'], '203.0.113.7');
    assert.equal(h['x-real-ip'], '127.0.0.1');
    assert.equal(h['x-forwarded-host'], 'apple.test');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-scheme'], 'http');
    assert.equal(h['x-scheme'], 'http');
    assert.equal(h['x-forwarded-port'], String(sluice.httpPort));
    assert.match(h['x-request-id']!, /^[0-9a-f]{32}$/);
    assert.equal(h['x-custom'], 'kept');
    for (const gone of ['x-hop', 'keep-alive', 'te', 'proxy']) assert.equal(h[gone], undefined, `${gone} must not reach the backend`);
    assert.equal(r.headers['x-backend'], 'apple');
  });

  test('an incoming X-Request-ID is kept', async () => {
    const r = await request(sluice.httpPort, '/', { host: 'apple.test', headers: { 'x-request-id': 'abc-123' } });
    assert.equal((r.json().headers as Record<string, string>)['x-request-id'], 'abc-123');
  });

  test('responses carry no Server header (ingress-nginx clears it)', async () => {
    const r = await request(sluice.httpPort, '/', { host: 'apple.test' });
    assert.equal(r.headers.server, undefined);
  });
});
