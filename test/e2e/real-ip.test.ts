// End to end: which client address and forwarded scheme/host/port the backend sees, per
// ConfigMap (use-forwarded-headers, proxy-real-ip-cidr, compute-full-forwarded-for,
// enable-real-ip, forwarded-for-header), as ingress-nginx's realip settings and Lua rewrite.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend } from '../helpers/backend.ts';
import { backendObjects, configMap, ingress } from '../helpers/objects.ts';
import { request } from '../helpers/client.ts';

type Seen = { headers: Record<string, string> };

async function withConfig(echo: Backend, data: Record<string, string>, args: string[] = []): Promise<{ sluice: Sluice; dir: ManifestDir }> {
  const dir = new ManifestDir();
  dir.write('all.yaml', [
    ...backendObjects('app', 'echo', [echo.port]),
    ingress('app', 'web', [{ host: 'app.test', paths: [{ path: '/', service: 'echo' }] }]),
    ingress('app', 'secure', [{ host: 'secure.test', paths: [{ path: '/', service: 'echo' }] }], { annotations: { 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' } }),
    configMap('sluice', 'cfg', data),
  ]);
  const sluice = await startSluice({ manifests: [dir.path], args: ['--configmap', 'sluice/cfg', ...args] });
  return { sluice, dir };
}

async function seen(s: Sluice, headers: Record<string, string> = {}): Promise<Record<string, string>> {
  const r = await request(s.httpPort, '/x', { host: 'app.test', headers });
  assert.equal(r.status, 200, r.text);
  return r.json<Seen>().headers;
}

describe('client address and forwarded headers', () => {
  let echo: Backend;
  const running: { sluice: Sluice; dir: ManifestDir }[] = [];
  const start = async (data: Record<string, string>, args: string[] = []): Promise<Sluice> => {
    const r = await withConfig(echo, data, args);
    running.push(r);
    return r.sluice;
  };

  before(async () => {
    echo = await startBackend('echo');
  });

  after(async () => {
    for (const r of running) {
      await r.sluice.stop();
      r.dir.cleanup();
    }
    await echo?.close();
  });

  test('default: the socket peer is the client; client X-Forwarded-* are not trusted, X-Forwarded-For is appended to', async () => {
    const s = await start({});
    const h = await seen(s, { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.test', 'x-forwarded-port': '1234', 'x-real-ip': '6.6.6.6' });
    assert.equal(h['x-real-ip'], '127.0.0.1');
    assert.equal(h['x-forwarded-for'], '1.2.3.4, 127.0.0.1');
    assert.equal(h['x-original-forwarded-for'], '1.2.3.4');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-host'], 'app.test');
    assert.equal(h.host, 'app.test');
    assert.equal(h['x-forwarded-port'], String(s.httpPort));
    // Without use-forwarded-headers a client's X-Forwarded-Proto does not stop the HTTPS redirect.
    assert.equal((await request(s.httpPort, '/', { host: 'secure.test', headers: { 'x-forwarded-proto': 'https' } })).status, 308);
    const plain = await seen(s);
    assert.equal(plain['x-forwarded-for'], '127.0.0.1');
    assert.equal(plain['x-original-forwarded-for'], undefined);
  });

  test('use-forwarded-headers: X-Forwarded-For, -Proto, -Port and the first -Host are honoured (ingress-nginx e2e forwarded_headers)', async () => {
    const s = await start({ 'use-forwarded-headers': 'true' });
    const h = await seen(s, { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'myproto', 'x-forwarded-port': '1234', 'x-forwarded-host': 'myhost.com, another.host,example.net' });
    assert.equal(h['x-real-ip'], '1.2.3.4');
    // compute-full-forwarded-for (sluice default true): the incoming list plus the TCP peer.
    assert.equal(h['x-forwarded-for'], '1.2.3.4, 127.0.0.1');
    assert.equal(h['x-forwarded-proto'], 'myproto');
    assert.equal(h['x-forwarded-scheme'], 'myproto');
    assert.equal(h['x-scheme'], 'myproto');
    assert.equal(h['x-forwarded-port'], '1234');
    assert.equal(h['x-forwarded-host'], 'myhost.com');
    assert.equal(h.host, 'myhost.com');
    // The access log records the real client.
    const line = await s.waitForLog((l) => l.type === 'access' && l.client === '1.2.3.4');
    assert.equal(line.client, '1.2.3.4');
    // The HTTPS redirect looks at the forwarded scheme ($pass_access_scheme is "http" or not).
    assert.equal((await request(s.httpPort, '/', { host: 'secure.test' })).status, 308);
    assert.equal((await request(s.httpPort, '/', { host: 'secure.test', headers: { 'x-forwarded-proto': 'https' } })).status, 200);
    assert.equal((await request(s.httpPort, '/', { host: 'secure.test', headers: { 'x-forwarded-proto': 'myproto' } })).status, 200);
    // Nothing forwarded: the connection's own values.
    const plain = await seen(s);
    assert.equal(plain['x-real-ip'], '127.0.0.1');
    assert.equal(plain['x-forwarded-proto'], 'http');
    assert.equal(plain.host, 'app.test');
  });

  test('real_ip_recursive: the right-most address that is not a trusted proxy; spoofed left entries are ignored', async () => {
    const s = await start({ 'use-forwarded-headers': 'true', 'proxy-real-ip-cidr': '127.0.0.1/32, 10.0.0.0/8' });
    assert.equal((await seen(s, { 'x-forwarded-for': '5.6.7.8, 10.1.1.1, 10.2.2.2' }))['x-real-ip'], '5.6.7.8');
    assert.equal((await seen(s, { 'x-forwarded-for': '1.1.1.1, 9.9.9.9, 10.1.1.1' }))['x-real-ip'], '9.9.9.9');
    // Every hop trusted: the left-most address.
    assert.equal((await seen(s, { 'x-forwarded-for': '10.9.9.9, 10.1.1.1' }))['x-real-ip'], '10.9.9.9');
    // An entry that is not an address stops the walk at the last trusted one.
    assert.equal((await seen(s, { 'x-forwarded-for': '8.8.8.8, garbage, 10.1.1.1' }))['x-real-ip'], '10.1.1.1');
    // Ports and IPv6 entries as nginx parses them.
    assert.equal((await seen(s, { 'x-forwarded-for': '[2001:db8::1]:443' }))['x-real-ip'], '2001:db8::1');
    assert.equal((await seen(s, { 'x-forwarded-for': '7.7.7.7:8080' }))['x-real-ip'], '7.7.7.7');
    // Several header lines form one list.
    const twice = await request(s.httpPort, '/', { host: 'app.test', headers: { 'x-forwarded-for': ['4.4.4.4', '10.3.3.3'] as unknown as string } });
    assert.equal(twice.json<Seen>().headers['x-real-ip'], '4.4.4.4');
  });

  test('an untrusted peer cannot set the client address', async () => {
    const s = await start({ 'use-forwarded-headers': 'true', 'proxy-real-ip-cidr': '10.0.0.0/8' });
    const h = await seen(s, { 'x-forwarded-for': '1.2.3.4' });
    assert.equal(h['x-real-ip'], '127.0.0.1');
    // X-Forwarded-Proto is still honoured: use-forwarded-headers trusts it from any peer, as ingress-nginx.
    assert.equal((await seen(s, { 'x-forwarded-proto': 'https' }))['x-forwarded-proto'], 'https');
  });

  test('compute-full-forwarded-for "false": X-Forwarded-For is the client address alone (ingress-nginx default)', async () => {
    const s = await start({ 'use-forwarded-headers': 'true', 'compute-full-forwarded-for': 'false' });
    const h = await seen(s, { 'x-forwarded-for': '1.2.3.4' });
    assert.equal(h['x-forwarded-for'], '1.2.3.4');
    assert.equal(h['x-original-forwarded-for'], '1.2.3.4');
    const off = await start({ 'compute-full-forwarded-for': 'false' });
    assert.equal((await seen(off, { 'x-forwarded-for': '1.2.3.4' }))['x-forwarded-for'], '127.0.0.1');
  });

  test('enable-real-ip: X-Forwarded-For gives the client address, other forwarded headers stay untrusted (ingress-nginx e2e enable_real_ip)', async () => {
    const s = await start({ 'enable-real-ip': 'true', 'compute-full-forwarded-for': 'false' });
    const h = await seen(s, { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'myproto', 'x-forwarded-port': '1234', 'x-forwarded-host': 'myhost' });
    assert.equal(h['x-real-ip'], '1.2.3.4');
    assert.equal(h['x-forwarded-for'], '1.2.3.4');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-host'], 'app.test');
    assert.equal(h.host, 'app.test');
    assert.notEqual(h['x-forwarded-port'], '1234');
  });

  test('forwarded-for-header names the header the client address comes from', async () => {
    const s = await start({ 'use-forwarded-headers': 'true', 'forwarded-for-header': 'X-Client-Address' });
    const h = await seen(s, { 'x-client-address': '3.3.3.3', 'x-forwarded-for': '1.2.3.4' });
    assert.equal(h['x-real-ip'], '3.3.3.3');
  });

  test('default proxy-real-ip-cidr 0.0.0.0/0 trusts no IPv6 peer (nginx set_real_ip_from semantics)', async () => {
    const s = await start({ 'use-forwarded-headers': 'true' }, ['--bind-address', '::']);
    const r6 = await request6(s.httpPort, { 'x-forwarded-for': '1.2.3.4' });
    assert.equal(r6['x-real-ip'], '::1');
    const both = await start({ 'use-forwarded-headers': 'true', 'proxy-real-ip-cidr': '0.0.0.0/0,::/0' }, ['--bind-address', '::']);
    assert.equal((await request6(both.httpPort, { 'x-forwarded-for': '1.2.3.4' }))['x-real-ip'], '1.2.3.4');
  });
});

async function request6(port: number, headers: Record<string, string>): Promise<Record<string, string>> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '::1', port, path: '/', headers: { ...headers, host: 'app.test' }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve((JSON.parse(Buffer.concat(chunks).toString()) as Seen).headers));
    });
    req.on('error', reject);
    req.end();
  });
}
