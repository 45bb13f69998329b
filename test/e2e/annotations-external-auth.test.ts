// End to end: auth-url and its companions, and the ConfigMap global-auth-url family: what the
// auth service receives, what the client and the backend see for each auth answer, caching,
// failures, a client leaving while auth is pending, and invalid values.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { generateDefaultCertificate } from '../../src/dataplane/tls/default-cert.ts';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend } from '../helpers/backend.ts';
import { backendObjects, configMap, ingress } from '../helpers/objects.ts';
import { request } from '../helpers/client.ts';
import { closedPort } from '../helpers/ports.ts';

const A = 'nginx.ingress.kubernetes.io/';

interface AuthCall {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bodyBytes: number;
}

/** An auth service whose answer depends on the path: /status/<code>, /hold (until released), /cookie. */
async function startAuth(): Promise<{ port: number; calls: AuthCall[]; release: () => void; held: () => number; close: () => Promise<void> }> {
  const calls: AuthCall[] = [];
  let waiting: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (c: Buffer) => (bodyBytes += c.length));
    req.on('end', () => {
      calls.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes });
      const url = new URL(req.url ?? '/', 'http://x');
      const status = /^\/status\/(\d+)/.exec(url.pathname);
      if (status) {
        const code = Number(status[1]);
        const headers: Record<string, string | string[]> = { 'x-auth-user': 'alice', 'x-auth_group': 'admins' };
        if (code === 401) headers['www-authenticate'] = ['Bearer realm="auth"', 'Basic realm="auth"'];
        if (url.searchParams.has('cookie')) headers['set-cookie'] = ['session=abc; Path=/', 'other=1; Path=/'];
        if (url.searchParams.has('nocache')) headers['cache-control'] = 'no-store';
        res.writeHead(code, headers);
        res.end('auth body that is never shown');
        return;
      }
      if (url.pathname === '/hold') {
        waiting.push(() => {
          res.writeHead(200);
          res.end();
        });
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    calls,
    release: () => {
      const w = waiting;
      waiting = [];
      for (const f of w) f();
    },
    held: () => waiting.length,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function until(ok: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function site(name: string, annotations: Record<string, string>, path = '/'): object {
  return ingress('app', name, [{ host: `${name}.test`, paths: [{ path, service: 'echo' }] }], { annotations });
}

describe('external authentication', () => {
  let echo: Backend;
  let auth: Awaited<ReturnType<typeof startAuth>>;
  let dir: ManifestDir;
  let sluice: Sluice;
  let globalDir: ManifestDir;
  let globalSluice: Sluice;
  let brokenDir: ManifestDir;
  let broken: Sluice;
  let tlsAuth: https.Server;
  const tlsCalls: { servername: string; host: string }[] = [];
  const url = (path: string): string => `http://127.0.0.1:${auth.port}${path}`;
  const seenBy = (host: string) => echo.seen.filter((s) => s.headers.host === host);

  before(async () => {
    echo = await startBackend('echo', (req, res, body) => {
      if (req.url?.startsWith('/fail')) {
        res.writeHead(503);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ headers: req.headers, bodyBytes: body.length }));
    });
    auth = await startAuth();
    const dead = await closedPort();
    // An https auth service with a self-signed certificate: nginx sends SNI and does not verify.
    const pem = await generateDefaultCertificate();
    tlsAuth = https.createServer({ cert: pem.cert, key: pem.key }, (req, res) => {
      tlsCalls.push({ servername: (req.socket as import('node:tls').TLSSocket).servername || '', host: req.headers.host ?? '' });
      res.writeHead(200, { 'x-auth-user': 'tls' });
      res.end();
    });
    await new Promise<void>((r) => tlsAuth.listen(0, '127.0.0.1', r));
    const tlsPort = (tlsAuth.address() as net.AddressInfo).port;
    dir = new ManifestDir();
    dir.write('all.yaml', [
      ...backendObjects('app', 'echo', [echo.port]),
      configMap('app', 'auth-headers', { 'X-Tenant': 'blue', 'X-From-Host': '$host' }),
      site('ok', { [`${A}auth-url`]: url('/status/200'), [`${A}auth-response-headers`]: 'X-Auth-User, X-Missing, X-Auth_Group' }),
      site('method', { [`${A}auth-url`]: url('/status/200'), [`${A}auth-method`]: 'POST', [`${A}auth-request-redirect`]: 'https://app.test/after', [`${A}auth-proxy-set-headers`]: 'auth-headers' }),
      site('deny401', { [`${A}auth-url`]: url('/status/401') }),
      site('signin', { [`${A}auth-url`]: url('/status/401?cookie=1'), [`${A}auth-signin`]: 'http://$host/auth/start' }),
      site('signin-param', { [`${A}auth-url`]: url('/status/401'), [`${A}auth-signin`]: 'http://$host/auth/start?x=1', [`${A}auth-signin-redirect-param`]: 'orig' }),
      site('signin-has-rd', { [`${A}auth-url`]: url('/status/401'), [`${A}auth-signin`]: 'https://login.test/start?rd=$scheme://$host$request_uri' }),
      site('deny403', { [`${A}auth-url`]: url('/status/403') }),
      site('err500', { [`${A}auth-url`]: url('/status/500') }),
      site('redirect302', { [`${A}auth-url`]: url('/status/302') }),
      site('down', { [`${A}auth-url`]: `http://127.0.0.1:${dead}/auth` }),
      site('cookie', { [`${A}auth-url`]: url('/status/200?cookie=1') }),
      site('cookie-always', { [`${A}auth-url`]: url('/status/200?cookie=1'), [`${A}auth-always-set-cookie`]: 'true' }),
      site('cached', { [`${A}auth-url`]: url('/status/200'), [`${A}auth-cache-key`]: '$http_x_user', [`${A}auth-cache-duration`]: '200 202 401 5m' }),
      site('cached401', { [`${A}auth-url`]: url('/status/401'), [`${A}auth-cache-key`]: 'fixed' }),
      site('nostore', { [`${A}auth-url`]: url('/status/200?nocache=1'), [`${A}auth-cache-key`]: 'fixed' }),
      site('vars', { [`${A}auth-url`]: `http://127.0.0.1:${auth.port}/status/200?host=$host&uri=$escaped_request_uri&u=$arg_user` }),
      site('slow', { [`${A}auth-url`]: url('/hold') }),
      site('tls', { [`${A}auth-url`]: `https://localhost:${tlsPort}/check`, [`${A}auth-response-headers`]: 'X-Auth-User' }),
      site('bad-url', { [`${A}auth-url`]: 'https://invalid..auth.url' }),
      site('bad-var', { [`${A}auth-url`]: 'http://auth.test/check?x=$upstream_addr' }),
      site('bad-method', { [`${A}auth-url`]: url('/status/200'), [`${A}auth-method`]: 'FETCH' }),
      site('bad-duration', { [`${A}auth-url`]: url('/status/200'), [`${A}auth-cache-duration`]: '200 five' }),
      site('bad-headers', { [`${A}auth-url`]: url('/status/200'), [`${A}auth-response-headers`]: 'X-Ok, X Bad' }),
      site('no-cm', { [`${A}auth-url`]: url('/status/200'), [`${A}auth-proxy-set-headers`]: 'nope' }),
    ]);
    sluice = await startSluice({ manifests: [dir.path] });

    globalDir = new ManifestDir();
    globalDir.write('all.yaml', [
      ...backendObjects('app', 'echo', [echo.port]),
      site('plain', {}),
      site('optout', { [`${A}enable-global-auth`]: 'false' }),
      site('own', { [`${A}auth-url`]: url('/status/200') }),
      site('acme', {}, '/.well-known/acme-challenge/x'),
      configMap('sluice', 'cfg', { 'global-auth-url': url('/status/401'), 'global-auth-response-headers': 'X-Auth-User' }),
    ]);
    globalSluice = await startSluice({ manifests: [globalDir.path], args: ['--configmap', 'sluice/cfg'] });

    brokenDir = new ManifestDir();
    brokenDir.write('all.yaml', [
      ...backendObjects('app', 'echo', [echo.port]),
      site('plain', {}),
      site('optout', { [`${A}enable-global-auth`]: 'false' }),
      configMap('sluice', 'cfg', { 'global-auth-url': url('/status/200'), 'global-auth-method': 'FETCH' }),
    ]);
    broken = await startSluice({ manifests: [brokenDir.path], args: ['--configmap', 'sluice/cfg'] });
  });

  after(async () => {
    auth?.release();
    await sluice?.stop();
    await globalSluice?.stop();
    await broken?.stop();
    await echo?.close();
    await auth?.close();
    tlsAuth?.closeAllConnections();
    tlsAuth?.close();
    dir?.cleanup();
    globalDir?.cleanup();
    brokenDir?.cleanup();
  });

  test('2xx: the request goes through with auth-response-headers; the auth service sees the subrequest ingress-nginx sends', async () => {
    const before = auth.calls.length;
    const r = await request(sluice.httpPort, '/page?a=b', {
      host: 'ok.test',
      headers: { authorization: 'Bearer t0ken', cookie: 'sid=1', 'x-custom': 'yes', 'x-auth-user': 'forged', 'x-missing': 'forged', 'x-forwarded-proto': 'https', 'x-forwarded-for': '9.9.9.9' },
    });
    assert.equal(r.status, 200);
    const seen = r.json<{ headers: Record<string, string> }>().headers;
    assert.equal(seen['x-auth-user'], 'alice', 'copied from the auth answer, replacing the forged one');
    assert.equal(seen['x-missing'], undefined, 'absent from the auth answer: not sent at all');
    assert.equal(seen['x-auth_group'], 'admins');
    assert.equal(seen.authorization, 'Bearer t0ken', 'external auth does not strip Authorization');
    assert.equal(auth.calls.length, before + 1);
    const call = auth.calls.at(-1)!;
    assert.equal(call.method, 'GET');
    assert.equal(call.url, '/status/200');
    assert.equal(call.bodyBytes, 0);
    const h = call.headers;
    assert.equal(h.host, '127.0.0.1', 'Host is the auth URL host without port');
    assert.equal(h['x-original-url'], 'http://ok.test/page?a=b');
    assert.equal(h['x-original-method'], 'GET');
    assert.equal(h['x-sent-from'], 'nginx-ingress-controller');
    assert.equal(h['x-real-ip'], '127.0.0.1');
    assert.equal(h['x-forwarded-for'], '9.9.9.9, 127.0.0.1');
    assert.equal(h['x-auth-request-redirect'], '/page?a=b');
    assert.equal(h['x-request-id'], seen['x-request-id']);
    assert.match(h['x-request-id'] as string, /^[0-9a-f]{32}$/);
    assert.equal(h.authorization, 'Bearer t0ken');
    assert.equal(h.cookie, 'sid=1');
    assert.equal(h['x-custom'], 'yes');
    assert.equal(h['x-forwarded-proto'], undefined, 'cleared, as the auth location does');
    assert.equal(h['x-original-uri'], undefined, 'only with auth-method');
    assert.equal(h['x-scheme'], undefined, 'only with auth-method');
    assert.equal(h['content-length'], undefined);
  });

  test('auth-method, auth-request-redirect and auth-proxy-set-headers', async () => {
    const r = await request(sluice.httpPort, '/m?q=1', { host: 'method.test', headers: { 'x-tenant': 'forged' } });
    assert.equal(r.status, 200);
    const h = auth.calls.at(-1)!;
    assert.equal(h.method, 'POST');
    assert.equal(h.bodyBytes, 0);
    assert.equal(h.headers['x-original-uri'], '/m?q=1');
    assert.equal(h.headers['x-scheme'], 'http');
    assert.equal(h.headers['x-original-method'], 'GET');
    assert.equal(h.headers['x-auth-request-redirect'], 'https://app.test/after');
    assert.equal(h.headers['x-tenant'], 'blue');
    assert.equal(h.headers['x-from-host'], 'method.test');
  });

  test('401: the client gets 401 with the auth service\'s WWW-Authenticate and nginx\'s page, not the auth body', async () => {
    const r = await request(sluice.httpPort, '/', { host: 'deny401.test' });
    assert.equal(r.status, 401);
    assert.equal(r.headers['www-authenticate'], 'Bearer realm="auth", Basic realm="auth"');
    assert.match(r.text, /401 Authorization Required/);
    assert.doesNotMatch(r.text, /auth body/);
    assert.equal(seenBy('deny401.test').length, 0);
  });

  test('401 with auth-signin: 302 to the sign-in URL with the full original URL in rd (ingress-nginx e2e auth)', async () => {
    const r = await request(sluice.httpPort, '/?a=b&c=d', { host: 'signin.test' });
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, `http://signin.test/auth/start?rd=http://signin.test${encodeURIComponent('/?a=b&c=d')}`);
    assert.deepEqual(r.headers['set-cookie'], ['session=abc; Path=/', 'other=1; Path=/'], 'the sign-in redirect carries the auth cookies');
    const p = await request(sluice.httpPort, '/x', { host: 'signin-param.test' });
    assert.equal(p.headers.location, 'http://signin-param.test/auth/start?x=1&orig=http://signin-param.test%2Fx');
    const own = await request(sluice.httpPort, '/y?z=1', { host: 'signin-has-rd.test' });
    assert.equal(own.headers.location, 'https://login.test/start?rd=http://signin-has-rd.test/y?z=1', 'a sign-in URL that already has rd is used as it is');
  });

  test('403 is passed on; any other answer, or an unreachable auth service, is 500', async () => {
    assert.equal((await request(sluice.httpPort, '/', { host: 'deny403.test' })).status, 403);
    assert.equal((await request(sluice.httpPort, '/', { host: 'err500.test' })).status, 500);
    assert.equal((await request(sluice.httpPort, '/', { host: 'redirect302.test' })).status, 500);
    assert.equal((await request(sluice.httpPort, '/', { host: 'down.test' })).status, 500);
    const line = await sluice.waitForLog((l) => l.type === 'access' && l.host === 'down.test');
    assert.match(String(line.error), /auth request to http:\/\/127\.0\.0\.1:\d+ failed: ECONNREFUSED/);
    for (const h of ['deny403.test', 'err500.test', 'redirect302.test', 'down.test']) assert.equal(seenBy(h).length, 0, h);
  });

  test('Set-Cookie from the auth answer: on success statuses only, unless auth-always-set-cookie', async () => {
    const ok = await request(sluice.httpPort, '/', { host: 'cookie.test' });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.headers['set-cookie'], ['session=abc; Path=/', 'other=1; Path=/']);
    const fail = await request(sluice.httpPort, '/fail', { host: 'cookie.test' });
    assert.equal(fail.status, 503);
    assert.equal(fail.headers['set-cookie'], undefined);
    const always = await request(sluice.httpPort, '/fail', { host: 'cookie-always.test' });
    assert.equal(always.status, 503);
    assert.deepEqual(always.headers['set-cookie'], ['session=abc; Path=/', 'other=1; Path=/']);
  });

  test('auth-cache-key: answers are cached per key (200 and 401), never when the answer forbids it', async () => {
    const calls = (): number => auth.calls.filter((c) => c.headers['x-original-url']?.toString().includes('cached.test')).length;
    for (let i = 0; i < 3; i++) assert.equal((await request(sluice.httpPort, `/${i}`, { host: 'cached.test', headers: { 'x-user': 'u1' } })).status, 200);
    assert.equal(calls(), 1);
    await request(sluice.httpPort, '/', { host: 'cached.test', headers: { 'x-user': 'u2' } });
    assert.equal(calls(), 2);
    // Cached answers still deliver the response headers.
    const again = await request(sluice.httpPort, '/', { host: 'cached.test', headers: { 'x-user': 'u1' } });
    assert.equal(again.status, 200);
    assert.equal(calls(), 2);
    const calls401 = (): number => auth.calls.filter((c) => c.headers['x-original-url']?.toString().includes('cached401.test')).length;
    for (let i = 0; i < 3; i++) assert.equal((await request(sluice.httpPort, '/', { host: 'cached401.test' })).status, 401);
    assert.equal(calls401(), 1);
    const nostore = (): number => auth.calls.filter((c) => c.headers['x-original-url']?.toString().includes('nostore.test')).length;
    for (let i = 0; i < 2; i++) await request(sluice.httpPort, '/', { host: 'nostore.test' });
    assert.equal(nostore(), 2);
  });

  test('an https auth service: SNI sent, certificate not verified (nginx proxy_ssl_verify off)', async () => {
    const r = await request(sluice.httpPort, '/', { host: 'tls.test' });
    assert.equal(r.status, 200);
    assert.equal(r.json<{ headers: Record<string, string> }>().headers['x-auth-user'], 'tls');
    assert.deepEqual(tlsCalls.at(-1), { servername: 'localhost', host: 'localhost' });
  });

  test('nginx variables in auth-url are interpolated per request', async () => {
    assert.equal((await request(sluice.httpPort, '/a%20b?user=bob', { host: 'vars.test' })).status, 200);
    assert.equal(auth.calls.at(-1)!.url, '/status/200?host=vars.test&uri=%2Fa%2520b%3Fuser%3Dbob&u=bob');
  });

  test('the request body waits for the auth answer, then reaches the backend whole', async () => {
    const body = Buffer.alloc(200_000, 'b');
    const pending = request(sluice.httpPort, '/upload', { host: 'slow.test', method: 'POST', body });
    await until(() => auth.held() === 1);
    assert.equal(seenBy('slow.test').length, 0);
    auth.release();
    const r = await pending;
    assert.equal(r.status, 200);
    assert.equal(r.json<{ bodyBytes: number }>().bodyBytes, body.length);
  });

  test('a client that leaves while auth is pending: no crash, nothing proxied, later requests unaffected', async () => {
    const before = seenBy('slow.test').length;
    const sock = net.connect(sluice.httpPort, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write('GET /gone HTTP/1.1\r\nHost: slow.test\r\n\r\n');
    await until(() => auth.held() === 1);
    // A reset: the connection is gone (a FIN alone is a half-close; the answer would still be sent).
    sock.resetAndDestroy();
    await sluice.waitForLog((l) => l.type === 'access' && l.host === 'slow.test' && l.status === 499);
    auth.release();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(seenBy('slow.test').length, before);
    assert.equal((await request(sluice.httpPort, '/', { host: 'ok.test' })).status, 200);
    assert.equal(sluice.proc.exitCode, null);
  });

  test('invalid values deny the route (503) with an error naming the annotation', async () => {
    const cases: [string, RegExp, RegExp][] = [
      ['bad-url', /auth-url/, /invalid host/],
      ['bad-var', /auth-url/, /unsupported nginx variable \$upstream_addr/],
      ['bad-method', /auth-method/, /expected one of GET, HEAD/],
      ['bad-duration', /auth-cache-duration/, /"five" is not a status code|must end with a time/],
      ['bad-headers', /auth-response-headers/, /X Bad/],
      ['no-cm', /auth-proxy-set-headers/, /ConfigMap app\/nope not found/],
    ];
    const { diagnostics } = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: { object: { name: string }; reason: string; field: string; message: string }[] };
    for (const [name, field, message] of cases) {
      assert.equal((await request(sluice.httpPort, '/', { host: `${name}.test` })).status, 503, name);
      const d = diagnostics.find((x) => x.object.name === name && x.reason === 'InvalidAnnotation');
      assert.ok(d, name);
      assert.match(d.field, field, name);
      assert.match(d.message, message, name);
    }
  });

  test('global-auth-url protects every route; enable-global-auth "false", an own auth-url and no-auth-locations opt out', async () => {
    const r = await request(globalSluice.httpPort, '/', { host: 'plain.test' });
    assert.equal(r.status, 401);
    assert.equal((await request(globalSluice.httpPort, '/', { host: 'optout.test' })).status, 200);
    const own = await request(globalSluice.httpPort, '/', { host: 'own.test' });
    assert.equal(own.status, 200);
    assert.equal(own.json<{ headers: Record<string, string> }>().headers['x-auth-user'], undefined, 'the own auth-url has no response headers configured');
    assert.equal((await request(globalSluice.httpPort, '/.well-known/acme-challenge/x', { host: 'acme.test' })).status, 200);
  });

  test('an invalid global-auth-* value denies the routes it would protect, not the opted-out ones', async () => {
    assert.equal((await request(broken.httpPort, '/', { host: 'plain.test' })).status, 503);
    assert.equal((await request(broken.httpPort, '/', { host: 'optout.test' })).status, 200);
    const { diagnostics } = JSON.parse((await broken.admin('/debug/errors')).body) as { diagnostics: { object: { kind: string }; field: string; message: string }[] };
    const d = diagnostics.find((x) => x.object.kind === 'ConfigMap' && x.field === 'data.global-auth-method');
    assert.ok(d);
    assert.match(d.message, /routes under global-auth-url answer 503/);
  });
});
