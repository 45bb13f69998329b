// End to end: enable-cors and cors-* through the real binary, against what ingress-nginx's CORS
// template produces (nginx.tmpl "CORS", test/e2e/annotations/cors.go): defaults, the literal `*`,
// echoed allowed origins, single-label wildcards, disallowed origins (no CORS header, proxied),
// preflight answered locally with 204, headers on generated answers, invalid values denied.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend } from '../helpers/backend.ts';
import { backendObjects, ingress } from '../helpers/objects.ts';
import { request, type Reply } from '../helpers/client.ts';
import { closedPort } from '../helpers/ports.ts';

const P = 'nginx.ingress.kubernetes.io/';
const DEFAULT_METHODS = 'GET, PUT, POST, DELETE, PATCH, OPTIONS';
const DEFAULT_HEADERS = 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization';

const CORS_NAMES = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'access-control-max-age',
];

function corsHeaders(r: Reply): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const n of CORS_NAMES) out[n] = r.headers[n] as string | undefined;
  return out;
}

describe('CORS annotations end to end', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let echo: Backend;
  let own: Backend;

  const ing = (name: string, host: string, annotations: Record<string, string>, service = 'echo', extra: Parameters<typeof ingress>[3] = {}): object =>
    ingress('web', name, [{ host, paths: [{ path: '/', service }] }], { annotations, ...extra });

  before(async () => {
    echo = await startBackend('echo');
    // A backend that sends its own CORS headers: ingress-nginx's more_set_headers replaces them.
    own = await startBackend('own', (_req, res) => {
      res.writeHead(200, { 'access-control-allow-origin': 'https://backend.example', 'access-control-max-age': '5', 'x-backend': 'own' });
      res.end('own');
    });
    const dead = await closedPort();
    dir = new ManifestDir();
    dir.write('objects.yaml', [
      ...backendObjects('web', 'echo', [echo.port]),
      ...backendObjects('web', 'own', [own.port]),
      ...backendObjects('web', 'dead', [dead]),
      ing('defaults', 'defaults.test', { [`${P}enable-cors`]: 'true' }),
      ing('listed', 'listed.test', {
        [`${P}enable-cors`]: 'true',
        [`${P}cors-allow-origin`]: 'https://app.example.com, http://*.example.org:8080, https://*.Wild.Example.com',
      }),
      ing('custom', 'custom.test', {
        [`${P}enable-cors`]: 'true',
        [`${P}cors-allow-origin`]: 'https://app.example.com',
        [`${P}cors-allow-methods`]: 'POST, GET',
        [`${P}cors-allow-headers`]: 'DNT, User-Agent, X-Custom_Header',
        [`${P}cors-expose-headers`]: 'X-CustomResponseHeader, X-CustomSecondHeader',
        [`${P}cors-allow-credentials`]: 'false',
        [`${P}cors-max-age`]: '200',
      }),
      ing('star-extra', 'star-extra.test', { [`${P}enable-cors`]: 'true', [`${P}cors-allow-origin`]: '*, foo.bar.com' }),
      ing('blank', 'blank.test', { [`${P}enable-cors`]: 'true', [`${P}cors-allow-origin`]: '   ' }),
      ing('own', 'own.test', { [`${P}enable-cors`]: 'true' }, 'own'),
      ing('dead', 'dead.test', { [`${P}enable-cors`]: 'true' }, 'dead'),
      ing('disabled', 'disabled.test', { [`${P}cors-allow-origin`]: 'https://app.example.com' }),
      ing('redirect', 'redirect.test', { [`${P}enable-cors`]: 'true', [`${P}force-ssl-redirect`]: 'true' }),
      ing('moved', 'moved.test', { [`${P}enable-cors`]: 'true', [`${P}permanent-redirect`]: 'https://new.example.com/' }),
      ing('bad-origin', 'bad-origin.test', { [`${P}enable-cors`]: 'true', [`${P}cors-allow-origin`]: 'origin.cors.com:8080, https://ok.example.com' }),
      ing('bad-age', 'bad-age.test', { [`${P}enable-cors`]: 'true', [`${P}cors-max-age`]: 'a day' }),
      ing('bad-methods', 'bad-methods.test', { [`${P}enable-cors`]: 'true', [`${P}cors-allow-methods`]: 'GET;DROP' }),
      ing('bad-headers', 'bad-headers.test', { [`${P}enable-cors`]: 'true', [`${P}cors-allow-headers`]: 'X-Ok, X Bad' }),
      ing('bad-enable', 'bad-enable.test', { [`${P}enable-cors`]: 'yes please' }),
      // CORS together with basic auth: the preflight (rewrite phase) never meets auth (access phase).
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: { name: 'users', namespace: 'web' },
        data: { auth: Buffer.from(`alice:{SHA}${createHash('sha1').update('s3cret').digest('base64')}\n`).toString('base64') },
      },
      ing('guarded', 'guarded.test', {
        [`${P}enable-cors`]: 'true',
        [`${P}cors-allow-origin`]: 'https://app.example.com',
        [`${P}cors-allow-credentials`]: 'true',
        [`${P}auth-type`]: 'basic',
        [`${P}auth-secret`]: 'users',
        [`${P}auth-realm`]: 'guarded',
      }),
    ]);
    sluice = await startSluice({ manifests: [dir.path] });
  });

  after(async () => {
    await sluice?.stop();
    await echo?.close();
    await own?.close();
    dir?.cleanup();
  });

  test('defaults: every response gets the headers with a literal *, even without an Origin', async () => {
    const before = echo.seen.length;
    const r = await request(sluice.httpPort, '/x', { host: 'defaults.test' });
    assert.equal(r.status, 200);
    assert.deepEqual(corsHeaders(r), {
      'access-control-allow-origin': '*',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': DEFAULT_METHODS,
      'access-control-allow-headers': DEFAULT_HEADERS,
      'access-control-expose-headers': undefined,
      'access-control-max-age': '1728000',
    });
    assert.equal(echo.seen.length, before + 1);
    // Any Origin: still the literal *.
    const o = await request(sluice.httpPort, '/x', { host: 'defaults.test', headers: { origin: 'https://anything.example' } });
    assert.equal(o.headers['access-control-allow-origin'], '*');
  });

  test('preflight: OPTIONS is answered with 204 by the proxy, never reaching the backend', async () => {
    const before = echo.seen.length;
    const r = await request(sluice.httpPort, '/api', {
      method: 'OPTIONS',
      host: 'defaults.test',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(r.status, 204);
    assert.equal(r.headers['content-type'], 'text/plain charset=UTF-8');
    assert.equal(r.headers['content-length'], '0');
    assert.equal(r.body.length, 0);
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.equal(r.headers['access-control-allow-methods'], DEFAULT_METHODS);
    assert.equal(r.headers['access-control-allow-headers'], DEFAULT_HEADERS);
    assert.equal(r.headers['access-control-max-age'], '1728000');
    assert.equal(r.headers['access-control-allow-credentials'], 'true');
    // With `*` any OPTIONS is answered, even one that is not a preflight (ingress-nginx tests only the method).
    const plain = await request(sluice.httpPort, '/api', { method: 'OPTIONS', host: 'defaults.test' });
    assert.equal(plain.status, 204);
    assert.equal(echo.seen.length, before, 'the backend saw no OPTIONS request');
  });

  test('listed origins: an allowed Origin is echoed back exactly as sent', async () => {
    for (const origin of ['https://app.example.com', 'HTTPS://APP.example.com', 'http://a-1.example.org:8080', 'https://x.wild.example.com']) {
      const r = await request(sluice.httpPort, '/', { host: 'listed.test', headers: { origin } });
      assert.equal(r.status, 200);
      assert.equal(r.headers['access-control-allow-origin'], origin, origin);
      assert.equal(r.headers['access-control-allow-credentials'], 'true');
      assert.equal(r.headers['access-control-allow-methods'], DEFAULT_METHODS);
    }
  });

  test('listed origins: others get no CORS header at all, and OPTIONS goes to the backend', async () => {
    const refused = [
      'https://evil.example.com', // not listed
      'http://app.example.com', // scheme differs
      'https://app.example.com:8443', // port differs
      'http://a.example.org', // the wildcard entry requires :8080
      'http://a.b.example.org:8080', // the wildcard covers one label only
      'http://example.org:8080', // ... and at least one
      'https://fooxbar.com',
      'null',
    ];
    for (const origin of refused) {
      const r = await request(sluice.httpPort, '/', { host: 'listed.test', headers: { origin } });
      assert.equal(r.status, 200, origin);
      for (const n of CORS_NAMES) assert.equal(r.headers[n], undefined, `${origin}: ${n}`);
    }
    const noOrigin = await request(sluice.httpPort, '/', { host: 'listed.test' });
    assert.equal(noOrigin.headers['access-control-allow-origin'], undefined);
    const before = echo.seen.length;
    const pre = await request(sluice.httpPort, '/', { method: 'OPTIONS', host: 'listed.test', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' } });
    assert.equal(pre.status, 200);
    assert.equal(echo.seen.length, before + 1);
    assert.equal(echo.seen.at(-1)!.method, 'OPTIONS');
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
    // An allowed origin's preflight is answered locally.
    const ok = await request(sluice.httpPort, '/', { method: 'OPTIONS', host: 'listed.test', headers: { origin: 'https://app.example.com' } });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(echo.seen.length, before + 1);
  });

  test('custom methods, headers, expose headers, credentials off and max-age are sent as written', async () => {
    const want = {
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-credentials': undefined,
      'access-control-allow-methods': 'POST, GET',
      'access-control-allow-headers': 'DNT, User-Agent, X-Custom_Header',
      'access-control-expose-headers': 'X-CustomResponseHeader, X-CustomSecondHeader',
      'access-control-max-age': '200',
    };
    const r = await request(sluice.httpPort, '/', { host: 'custom.test', headers: { origin: 'https://app.example.com' } });
    assert.deepEqual(corsHeaders(r), want);
    const pre = await request(sluice.httpPort, '/', { method: 'OPTIONS', host: 'custom.test', headers: { origin: 'https://app.example.com' } });
    assert.equal(pre.status, 204);
    assert.deepEqual(corsHeaders(pre), want);
  });

  test('`*` with other entries, and a blank value, allow every origin', async () => {
    for (const host of ['star-extra.test', 'blank.test']) {
      const r = await request(sluice.httpPort, '/', { host, headers: { origin: 'http://origin.com' } });
      assert.equal(r.status, 200, host);
      assert.equal(r.headers['access-control-allow-origin'], '*', host);
    }
  });

  test("the backend's own CORS headers are replaced, not duplicated; its other headers pass", async () => {
    const r = await request(sluice.httpPort, '/', { host: 'own.test', headers: { origin: 'https://x.example' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.equal(r.headers['access-control-max-age'], '1728000');
    assert.equal(r.headers['x-backend'], 'own');
  });

  test('answers sluice generates itself (502, redirects) carry the CORS headers too', async () => {
    const r = await request(sluice.httpPort, '/', { host: 'dead.test', headers: { origin: 'https://x.example' } });
    assert.equal(r.status, 502);
    assert.equal(r.headers['access-control-allow-origin'], '*');
    // The preflight comes before the SSL redirect (rewrite-phase `if` before the Lua redirect)...
    const pre = await request(sluice.httpPort, '/p', { method: 'OPTIONS', host: 'redirect.test', headers: { origin: 'https://x.example' } });
    assert.equal(pre.status, 204);
    // ... and the redirect of a normal request carries the headers.
    const red = await request(sluice.httpPort, '/p', { host: 'redirect.test', headers: { origin: 'https://x.example' } });
    assert.equal(red.status, 308);
    assert.equal(red.headers.location, 'https://redirect.test/p');
    assert.equal(red.headers['access-control-allow-origin'], '*');
    // The CORS `if` blocks come before the permanent-redirect `return` in the location too.
    const movedPre = await request(sluice.httpPort, '/p', { method: 'OPTIONS', host: 'moved.test', headers: { origin: 'https://x.example' } });
    assert.equal(movedPre.status, 204);
    const moved = await request(sluice.httpPort, '/p', { host: 'moved.test', headers: { origin: 'https://x.example' } });
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.location, 'https://new.example.com/');
    assert.equal(moved.headers['access-control-allow-origin'], '*');
  });

  test('basic auth + CORS: the preflight gets 204 without credentials; the request itself needs them', async () => {
    const origin = 'https://app.example.com';
    const pre = await request(sluice.httpPort, '/api', {
      method: 'OPTIONS',
      host: 'guarded.test',
      headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], origin);
    assert.equal(pre.headers['access-control-allow-credentials'], 'true');
    assert.equal(pre.headers['www-authenticate'], undefined);
    const before = echo.seen.length;
    const denied = await request(sluice.httpPort, '/api', { method: 'PUT', host: 'guarded.test', headers: { origin } });
    assert.equal(denied.status, 401);
    assert.equal(denied.headers['www-authenticate'], 'Basic realm="guarded"');
    // The 401 is a local answer of the location: its CORS headers are on it, so the browser can read it.
    assert.equal(denied.headers['access-control-allow-origin'], origin);
    const ok = await request(sluice.httpPort, '/api', { method: 'PUT', host: 'guarded.test', headers: { origin, authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}` } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['access-control-allow-origin'], origin);
    assert.equal(echo.seen.length, before + 1, 'only the authenticated request reached the backend');
  });

  test('cors-* without enable-cors has no effect', async () => {
    const r = await request(sluice.httpPort, '/', { host: 'disabled.test', headers: { origin: 'https://app.example.com' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], undefined);
    const pre = await request(sluice.httpPort, '/', { method: 'OPTIONS', host: 'disabled.test', headers: { origin: 'https://app.example.com' } });
    assert.equal(pre.status, 200, 'proxied');
  });

  test('invalid values deny the Ingress (503, no CORS answer) and are reported by annotation', async () => {
    const bad = ['bad-origin', 'bad-age', 'bad-methods', 'bad-headers', 'bad-enable'];
    for (const name of bad) {
      const r = await request(sluice.httpPort, '/', { host: `${name}.test`, headers: { origin: 'https://ok.example.com' } });
      assert.equal(r.status, 503, name);
      assert.equal(r.headers['access-control-allow-origin'], undefined, name);
      const pre = await request(sluice.httpPort, '/', { method: 'OPTIONS', host: `${name}.test`, headers: { origin: 'https://ok.example.com' } });
      assert.equal(pre.status, 503, `${name} preflight`);
    }
    const errors = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: { object: { name: string }; reason: string; field: string; message: string }[] };
    const invalid = errors.diagnostics.filter((d) => d.reason === 'InvalidAnnotation');
    const find = (name: string, key: string) => invalid.find((d) => d.object.name === name && d.field === `metadata.annotations["${P}${key}"]`);
    assert.match(find('bad-origin', 'cors-allow-origin')?.message ?? '', /"origin\.cors\.com:8080" is not an origin/);
    assert.ok(find('bad-age', 'cors-max-age'));
    assert.ok(find('bad-methods', 'cors-allow-methods'));
    assert.ok(find('bad-headers', 'cors-allow-headers'));
    assert.ok(find('bad-enable', 'enable-cors'));
    // The other Ingresses are untouched.
    assert.equal((await request(sluice.httpPort, '/', { host: 'defaults.test' })).status, 200);
  });
});
