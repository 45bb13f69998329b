// End to end: allowlist-source-range (alias whitelist-source-range), denylist-source-range and
// the ConfigMap whitelist-source-range / denylist-source-range / block-cidrs, over IPv4 and IPv6,
// with the client address from the socket or from X-Forwarded-For.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend } from '../helpers/backend.ts';
import { backendObjects, configMap, ingress } from '../helpers/objects.ts';
import { request } from '../helpers/client.ts';

const A = 'nginx.ingress.kubernetes.io/';

function get(port: number, host: string, via: '127.0.0.1' | '::1' = '127.0.0.1', headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: via, port, path: '/', headers: { ...headers, host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function site(name: string, annotations: Record<string, string>): object {
  return ingress('app', name, [{ host: `${name}.test`, paths: [{ path: '/', service: 'echo' }] }], { annotations });
}

describe('client address allow and deny lists', () => {
  let echo: Backend;
  let dir: ManifestDir;
  let sluice: Sluice;
  let globals: Sluice;
  let globalsDir: ManifestDir;

  before(async () => {
    echo = await startBackend('echo');
    dir = new ManifestDir();
    dir.write('all.yaml', [
      ...backendObjects('app', 'echo', [echo.port]),
      site('open', {}),
      site('allow-local', { [`${A}allowlist-source-range`]: '10.0.0.0/8, 127.0.0.1' }),
      site('allow-other', { [`${A}allowlist-source-range`]: '10.0.0.0/8,192.168.0.0/16' }),
      site('alias', { [`${A}whitelist-source-range`]: '10.0.0.0/8' }),
      site('alias-fallback', { [`${A}allowlist-source-range`]: '', [`${A}whitelist-source-range`]: '10.0.0.0/8' }),
      site('deny-local', { [`${A}denylist-source-range`]: '127.0.0.0/8' }),
      site('deny-other', { [`${A}denylist-source-range`]: '10.0.0.0/8' }),
      site('deny-wins', { [`${A}denylist-source-range`]: '127.0.0.1', [`${A}allowlist-source-range`]: '127.0.0.0/8' }),
      site('v6-only', { [`${A}allowlist-source-range`]: '::1/128, 2001:db8::/32' }),
      site('mapped', { [`${A}allowlist-source-range`]: '::ffff:127.0.0.1' }),
      site('deny-v6', { [`${A}denylist-source-range`]: '::1' }),
      site('bad-cidr', { [`${A}allowlist-source-range`]: '10.0.0.0/33' }),
      site('bad-entry', { [`${A}denylist-source-range`]: '10.0.0.0/8,,127.0.0.1' }),
      site('empty', { [`${A}allowlist-source-range`]: ' ' }),
    ]);
    // Dual stack, so the same instance answers 127.0.0.1 and ::1 clients.
    sluice = await startSluice({ manifests: [dir.path], args: ['--bind-address', '::'] });
    globalsDir = new ManifestDir();
    globalsDir.write('all.yaml', [
      ...backendObjects('app', 'echo', [echo.port]),
      site('plain', {}),
      site('own-list', { [`${A}allowlist-source-range`]: '127.0.0.1' }),
      site('own-deny', { [`${A}denylist-source-range`]: '10.0.0.0/8' }),
      site('blocked-anyway', { [`${A}allowlist-source-range`]: '127.0.0.0/8' }),
      site('forwarded', { [`${A}allowlist-source-range`]: '203.0.113.0/24' }),
      configMap('sluice', 'cfg', {
        'whitelist-source-range': '10.0.0.0/8',
        'denylist-source-range': '127.0.0.2',
        'block-cidrs': '127.0.0.3, 192.0.2.0/24, not-an-ip',
        'use-forwarded-headers': 'true',
        'proxy-real-ip-cidr': '127.0.0.1',
      }),
    ]);
    globals = await startSluice({ manifests: [globalsDir.path], args: ['--configmap', 'sluice/cfg'] });
  });

  after(async () => {
    await sluice?.stop();
    await globals?.stop();
    await echo?.close();
    dir?.cleanup();
    globalsDir?.cleanup();
  });

  test('allowlist-source-range: listed clients pass, others get 403', async () => {
    assert.equal((await get(sluice.httpPort, 'open.test')).status, 200);
    assert.equal((await get(sluice.httpPort, 'allow-local.test')).status, 200);
    const denied = await get(sluice.httpPort, 'allow-other.test');
    assert.equal(denied.status, 403);
    assert.match(denied.body, /403 Forbidden/);
    assert.equal(echo.seen.filter((s) => s.headers.host === 'allow-other.test').length, 0, 'a refused request never reaches the backend');
  });

  test('whitelist-source-range is an alias, read when allowlist-source-range is absent or empty', async () => {
    assert.equal((await get(sluice.httpPort, 'alias.test')).status, 403);
    assert.equal((await get(sluice.httpPort, 'alias-fallback.test')).status, 403);
  });

  test('denylist-source-range: listed clients get 403, and the denylist is checked before the allowlist', async () => {
    assert.equal((await get(sluice.httpPort, 'deny-local.test')).status, 403);
    assert.equal((await get(sluice.httpPort, 'deny-other.test')).status, 200);
    assert.equal((await get(sluice.httpPort, 'deny-wins.test')).status, 403);
  });

  test('IPv6 clients and lists; IPv4-mapped addresses are IPv4', async () => {
    assert.equal((await get(sluice.httpPort, 'v6-only.test', '::1')).status, 200);
    assert.equal((await get(sluice.httpPort, 'v6-only.test', '127.0.0.1')).status, 403);
    assert.equal((await get(sluice.httpPort, 'allow-local.test', '::1')).status, 403);
    assert.equal((await get(sluice.httpPort, 'mapped.test', '127.0.0.1')).status, 200);
    assert.equal((await get(sluice.httpPort, 'deny-v6.test', '::1')).status, 403);
    assert.equal((await get(sluice.httpPort, 'deny-v6.test', '127.0.0.1')).status, 200);
  });

  test('invalid or empty lists deny the route (503) with an error naming the annotation', async () => {
    for (const host of ['bad-cidr.test', 'bad-entry.test', 'empty.test']) assert.equal((await get(sluice.httpPort, host)).status, 503, host);
    const errors = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: { object: { name: string }; reason: string; field: string; message: string }[] };
    const find = (name: string) => errors.diagnostics.find((d) => d.object.name === name && d.reason === 'InvalidAnnotation');
    assert.match(find('bad-cidr')!.field, /allowlist-source-range/);
    assert.match(find('bad-cidr')!.message, /10\.0\.0\.0\/33/);
    assert.match(find('bad-entry')!.field, /denylist-source-range/);
    assert.match(find('empty')!.message, /expected comma-separated IP addresses or CIDRs/);
    // Other Ingresses are unaffected.
    assert.equal((await get(sluice.httpPort, 'open.test')).status, 200);
  });

  test('ConfigMap lists apply to every route; an annotation replaces the list of its kind', async () => {
    // whitelist-source-range 10.0.0.0/8 from the ConfigMap: the plain route refuses 127.0.0.1.
    assert.equal((await request(globals.httpPort, '/', { host: 'plain.test' })).status, 403);
    assert.equal((await request(globals.httpPort, '/', { host: 'own-list.test' })).status, 200);
    // denylist-source-range from the ConfigMap does not list 127.0.0.1, but the global allowlist still applies.
    assert.equal((await request(globals.httpPort, '/', { host: 'own-deny.test' })).status, 403);
  });

  test('block-cidrs refuse clients on every route, whatever the route allows', async () => {
    // With use-forwarded-headers and 127.0.0.1 trusted, the client comes from X-Forwarded-For.
    assert.equal((await request(globals.httpPort, '/', { host: 'forwarded.test', headers: { 'x-forwarded-for': '203.0.113.5' } })).status, 200);
    assert.equal((await request(globals.httpPort, '/', { host: 'forwarded.test' })).status, 403);
    assert.equal((await request(globals.httpPort, '/', { host: 'blocked-anyway.test', headers: { 'x-forwarded-for': '127.0.0.3' } })).status, 403);
    assert.equal((await request(globals.httpPort, '/', { host: 'forwarded.test', headers: { 'x-forwarded-for': '192.0.2.9' } })).status, 403);
    // The bad block-cidrs entry is reported against the ConfigMap; the valid ones still apply.
    const errors = JSON.parse((await globals.admin('/debug/errors')).body) as { diagnostics: { object: { kind: string }; field: string; message: string }[] };
    const d = errors.diagnostics.find((x) => x.object.kind === 'ConfigMap' && x.field === 'data.block-cidrs');
    assert.ok(d, JSON.stringify(errors.diagnostics));
    assert.match(d.message, /not-an-ip/);
  });
});
