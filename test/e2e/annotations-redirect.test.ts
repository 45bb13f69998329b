// End to end: app-root, permanent/temporal redirects (codes, precedence, relative URLs,
// relative-redirects, use-port-in-redirects), from-to-www-redirect (HTTP and HTTPS with the
// certificate of the other name), server-alias and preserve-trailing-slash. Statuses and Location
// values follow ingress-nginx's e2e tests (approot.go, redirect.go, relativeredirects.go,
// fromtowwwredirect.go, alias.go, preservetrailingslash.go) and its templates.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend } from '../helpers/backend.ts';
import { backendObjects, ingress, tlsSecret } from '../helpers/objects.ts';
import { httpsRequest, request } from '../helpers/client.ts';
import { makeCert } from '../helpers/certs.ts';

const A = 'nginx.ingress.kubernetes.io/';

describe('redirect annotations end to end', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  const be: Record<string, Backend> = {};

  before(async () => {
    for (const n of ['app', 'other', 'www']) be[n] = await startBackend(n);
    const wwwCert = await makeCert(['tlswww.test', 'www.tlswww.test', 'alias.tlswww.test']);
    const onlyApex = await makeCert(['apex.test']);
    const ptsCert = await makeCert(['pts.test']);
    dir = new ManifestDir();
    const objs: object[] = [];
    for (const n of Object.keys(be)) objs.push(...backendObjects('web', n, [be[n]!.port]));
    objs.push(tlsSecret('web', 'www-cert', wwwCert.cert, wwwCert.key), tlsSecret('web', 'apex-cert', onlyApex.cert, onlyApex.key), tlsSecret('web', 'pts-cert', ptsCert.cert, ptsCert.key));
    dir.write('backends.yaml', objs);
    dir.write('ingresses.yaml', [
      // app-root (ingress-nginx e2e "should redirect to /foo"), host-wide: a "/" of another Ingress too.
      ingress('web', 'approot', [{ host: 'approot.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}app-root`]: '/foo' } }),
      ingress('web', 'approot-sub', [{ host: 'approot2.test', paths: [{ path: '/sub', service: 'app' }] }], { annotations: { [`${A}app-root`]: '/app' } }),
      ingress('web', 'approot-root', [{ host: 'approot2.test', paths: [{ path: '/', service: 'other' }] }]),
      // app-root is a server-level rule: it answers before the (location-level) SSL redirect.
      ingress('web', 'approot-ssl', [{ host: 'approotssl.test', paths: [{ path: '/', service: 'app' }] }], {
        annotations: { [`${A}app-root`]: '/app', [`${A}force-ssl-redirect`]: 'true' },
      }),
      // permanent-redirect and its code (ingress-nginx e2e redirect.go).
      ingress('web', 'perm', [{ host: 'perm.test', paths: [{ path: '/something', service: 'app' }] }], { annotations: { [`${A}permanent-redirect`]: 'http://redirect.example.com' } }),
      ingress('web', 'perm-code', [{ host: 'permcode.test', paths: [{ path: '/something', service: 'app' }] }], {
        annotations: { [`${A}permanent-redirect`]: 'http://redirect.example.com/x?a=1&b=2', [`${A}permanent-redirect-code`]: '302' },
      }),
      ingress('web', 'temp', [{ host: 'temp.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}temporal-redirect`]: 'https://temp.example.com/t' } }),
      ingress('web', 'temp-code', [{ host: 'tempcode.test', paths: [{ path: '/', service: 'app' }] }], {
        annotations: { [`${A}temporal-redirect`]: 'https://temp.example.com/t', [`${A}temporal-redirect-code`]: '307' },
      }),
      ingress('web', 'both', [{ host: 'both.test', paths: [{ path: '/', service: 'app' }] }], {
        annotations: { [`${A}temporal-redirect`]: 'https://temporal.example.com', [`${A}permanent-redirect`]: 'https://permanent.example.com' },
      }),
      ingress('web', 'code300', [{ host: 'code300.test', paths: [{ path: '/', service: 'app' }] }], {
        annotations: { [`${A}permanent-redirect`]: 'https://choices.example.com', [`${A}permanent-redirect-code`]: '300' },
      }),
      // Relative URLs (ingress-nginx e2e relativeredirects.go).
      ingress('web', 'rel-abs', [{ host: 'rr.test', paths: [{ path: '/something', service: 'app' }] }], {
        annotations: { [`${A}permanent-redirect`]: '/new-location', [`${A}relative-redirects`]: 'false' },
      }),
      ingress('web', 'rel-rel', [{ host: 'rr2.test', paths: [{ path: '/something', service: 'app' }] }], {
        annotations: { [`${A}permanent-redirect`]: '/new-location', [`${A}relative-redirects`]: 'true' },
      }),
      ingress('web', 'rel-port', [{ host: 'rr3.test', paths: [{ path: '/something', service: 'app' }] }], {
        annotations: { [`${A}permanent-redirect`]: '/new-location', [`${A}use-port-in-redirects`]: 'true' },
      }),
      // A redirect answers before the SSL redirect (nginx return runs before the Lua rewrite).
      ingress('web', 'perm-ssl', [{ host: 'permssl.test', paths: [{ path: '/', service: 'app' }] }], {
        annotations: { [`${A}permanent-redirect`]: 'https://moved.example.com', [`${A}force-ssl-redirect`]: 'true' },
      }),
      // from-to-www-redirect, both directions; skipped when the other name is itself a host.
      ingress('web', 'fromwww', [{ host: 'fromwww.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}from-to-www-redirect`]: 'true' } }),
      ingress('web', 'towww', [{ host: 'www.towww.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}from-to-www-redirect`]: 'true' } }),
      ingress('web', 'taken', [{ host: 'taken.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}from-to-www-redirect`]: 'true' } }),
      ingress('web', 'taken-www', [{ host: 'www.taken.test', paths: [{ path: '/', service: 'www' }] }]),
      // HTTPS: the redirect server presents the host's certificate when it covers the www name.
      ingress('web', 'tlswww', [{ host: 'tlswww.test', paths: [{ path: '/', service: 'app' }] }], {
        annotations: { [`${A}from-to-www-redirect`]: 'true', [`${A}server-alias`]: 'alias.tlswww.test' },
        tls: [{ hosts: ['tlswww.test'], secretName: 'www-cert' }],
      }),
      ingress('web', 'apex', [{ host: 'apex.test', paths: [{ path: '/', service: 'app' }] }], {
        annotations: { [`${A}from-to-www-redirect`]: 'true' },
        tls: [{ hosts: ['apex.test'], secretName: 'apex-cert' }],
      }),
      // server-alias (ingress-nginx e2e alias.go), across two Ingresses of one host.
      ingress('web', 'app-a', [{ host: 'foo.test', paths: [{ path: '/app-a', service: 'app' }] }], { creationTimestamp: '2024-01-01T00:00:00Z' }),
      ingress('web', 'app-b', [{ host: 'foo.test', paths: [{ path: '/app-b', service: 'other' }] }], {
        annotations: { [`${A}server-alias`]: 'bar.test, *.wild-alias.test, real.test' },
        creationTimestamp: '2025-01-01T00:00:00Z',
      }),
      ingress('web', 'real', [{ host: 'real.test', paths: [{ path: '/', service: 'www' }] }]),
      // preserve-trailing-slash with the SSL redirect (ingress-nginx e2e preservetrailingslash.go).
      ingress('web', 'pts', [{ host: 'pts.test', paths: [{ path: '/', service: 'app' }] }], {
        annotations: { [`${A}ssl-redirect`]: 'true', [`${A}preserve-trailing-slash`]: 'true' },
        tls: [{ hosts: ['pts.test'], secretName: 'pts-cert' }],
      }),
      ingress('web', 'nopts', [{ host: 'nopts.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}force-ssl-redirect`]: 'true' } }),
      ingress('web', 'ssl-port', [{ host: 'sslport.test', paths: [{ path: '/', service: 'app' }] }], {
        annotations: { [`${A}force-ssl-redirect`]: 'true', [`${A}use-port-in-redirects`]: 'true' },
      }),
      // Invalid values: the Ingress's paths answer 503.
      ingress('web', 'bad-code', [{ host: 'bad1.test', paths: [{ path: '/', service: 'app' }] }], {
        annotations: { [`${A}permanent-redirect`]: 'https://x.example.com', [`${A}permanent-redirect-code`]: '310' },
      }),
      ingress('web', 'bad-temp', [{ host: 'bad2.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}temporal-redirect`]: '/relative' } }),
      ingress('web', 'bad-scheme', [{ host: 'bad3.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}permanent-redirect`]: 'ftp://files.example.com' } }),
      ingress('web', 'bad-approot', [{ host: 'bad4.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}app-root`]: 'https://elsewhere.example.com/app' } }),
      ingress('web', 'bad-alias', [{ host: 'bad5.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}server-alias`]: '~^www\\d+\\.example\\.com$' } }),
      ingress('web', 'bad-www', [{ host: 'bad6.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}from-to-www-redirect`]: 'sure' } }),
    ]);
    sluice = await startSluice({ manifests: [dir.path] });
  });

  after(async () => {
    await sluice?.stop();
    for (const b of Object.values(be)) await b.close();
    dir?.cleanup();
  });

  const get = (host: string, path: string) => request(sluice.httpPort, path, { host });

  test('app-root: "/" gets a 302 to $scheme://$http_host<app-root>; other paths are proxied', async () => {
    let r = await get('approot.test', '/');
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, 'http://approot.test/foo');
    assert.match(r.text, /302 Found/);
    // $http_host keeps the port; the query string is not carried over; "//" is "/" once normalised.
    assert.equal((await get('approot.test:8080', '/')).headers.location, 'http://approot.test:8080/foo');
    assert.equal((await get('approot.test', '/?x=1')).headers.location, 'http://approot.test/foo');
    assert.equal((await get('approot.test', '//')).status, 302);
    r = await get('approot.test', '/foo');
    assert.equal(r.status, 200);
    assert.equal(r.json().backend, 'app');
    // Server-level: applies to "/" of the host even when another Ingress serves "/".
    r = await get('approot2.test', '/');
    assert.equal(r.headers.location, 'http://approot2.test/app');
    assert.equal((await get('approot2.test', '/other')).json().backend, 'other');
    // Before the SSL redirect: "/" → app-root over http; anything else → https.
    r = await get('approotssl.test', '/');
    assert.deepEqual([r.status, r.headers.location], [302, 'http://approotssl.test/app']);
    r = await get('approotssl.test', '/app');
    assert.deepEqual([r.status, r.headers.location], [308, 'https://approotssl.test/app']);
  });

  test('permanent-redirect: 301 with the URL unchanged; permanent-redirect-code changes the status', async () => {
    let r = await get('perm.test', '/something');
    assert.deepEqual([r.status, r.headers.location], [301, 'http://redirect.example.com']);
    assert.match(r.text, /301 Moved Permanently/);
    // Every path of the Ingress, request path not appended.
    assert.equal((await get('perm.test', '/something/deeper?q=1')).headers.location, 'http://redirect.example.com');
    r = await get('permcode.test', '/something');
    assert.deepEqual([r.status, r.headers.location], [302, 'http://redirect.example.com/x?a=1&b=2']);
    assert.equal(be.app!.seen.filter((s) => s.url.startsWith('/something')).length, 0);
  });

  test('temporal-redirect: 302 by default, temporal-redirect-code, and it wins over permanent-redirect', async () => {
    let r = await get('temp.test', '/anything');
    assert.deepEqual([r.status, r.headers.location], [302, 'https://temp.example.com/t']);
    r = await get('tempcode.test', '/');
    assert.deepEqual([r.status, r.headers.location], [307, 'https://temp.example.com/t']);
    r = await get('both.test', '/');
    assert.deepEqual([r.status, r.headers.location], [302, 'https://temporal.example.com']);
  });

  test('a code without a Location form (300) sends the URL as the response text, as nginx return does', async () => {
    const r = await get('code300.test', '/');
    assert.equal(r.status, 300);
    assert.equal(r.headers.location, undefined);
    assert.equal(r.text, 'https://choices.example.com');
  });

  test('relative redirect URLs: absolute by default, relative with relative-redirects, port with use-port-in-redirects', async () => {
    let r = await get('rr.test', '/something');
    assert.deepEqual([r.status, r.headers.location], [301, 'http://rr.test/new-location']);
    r = await get('rr2.test', '/something');
    assert.deepEqual([r.status, r.headers.location], [301, '/new-location']);
    r = await get('rr3.test', '/something');
    assert.equal(r.headers.location, `http://rr3.test:${sluice.httpPort}/new-location`);
  });

  test('a permanent redirect answers before the SSL redirect', async () => {
    const r = await get('permssl.test', '/x');
    assert.deepEqual([r.status, r.headers.location], [301, 'https://moved.example.com']);
  });

  test('from-to-www-redirect over HTTP: 308 to the declared name, port, one trailing slash dropped', async () => {
    let r = await get('www.fromwww.test', '/foo');
    assert.deepEqual([r.status, r.headers.location], [308, 'http://fromwww.test:80/foo']);
    assert.equal((await get('www.fromwww.test', '/foo/')).headers.location, 'http://fromwww.test:80/foo');
    assert.equal((await get('www.fromwww.test', '/')).headers.location, 'http://fromwww.test:80');
    assert.equal((await get('www.fromwww.test', '/a/?x=1')).headers.location, 'http://fromwww.test:80/a/?x=1');
    assert.equal((await get('www.fromwww.test:8080', '/p')).headers.location, 'http://fromwww.test:8080/p');
    // The declared host is served normally.
    assert.equal((await get('fromwww.test', '/foo')).json().backend, 'app');
    // The other direction.
    r = await get('towww.test', '/x?y=z');
    assert.deepEqual([r.status, r.headers.location], [308, 'http://www.towww.test:80/x?y=z']);
    // Skipped when the other name is an Ingress host itself.
    r = await get('www.taken.test', '/');
    assert.equal(r.json().backend, 'www');
  });

  test('from-to-www-redirect over HTTPS with the certificate covering the www name', async () => {
    let r = await httpsRequest(sluice.httpsPort, '/', { servername: 'www.tlswww.test' });
    assert.deepEqual([r.status, r.headers.location], [308, 'https://tlswww.test:443']);
    assert.match(r.peerNames, /DNS:www\.tlswww\.test/);
    assert.equal(r.headers['strict-transport-security'], undefined);
    r = await httpsRequest(sluice.httpsPort, '/', { servername: 'tlswww.test' });
    assert.equal(r.status, 200);
    assert.equal(r.json().backend, 'app');
    assert.match(r.peerNames, /DNS:tlswww\.test/);
    // A certificate that does not cover the www name leaves it on the default certificate.
    r = await httpsRequest(sluice.httpsPort, '/x', { servername: 'www.apex.test' });
    assert.deepEqual([r.status, r.headers.location], [308, 'https://apex.test:443/x']);
    assert.doesNotMatch(r.peerNames, /apex\.test/);
  });

  test('server-alias: every path of the host under the alias; a real host wins over an alias', async () => {
    for (const host of ['foo.test', 'bar.test', 'x.wild-alias.test']) {
      assert.equal((await get(host, '/app-a')).json().backend, 'app', host);
      assert.equal((await get(host, '/app-b')).json().backend, 'other', host);
    }
    assert.equal((await get('bar.test', '/')).status, 404);
    assert.equal((await get('real.test', '/app-a')).json().backend, 'www');
    const errors = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: { object: { name: string }; message: string }[] };
    assert.ok(errors.diagnostics.some((d) => d.object.name === 'app-b' && /alias real\.test is ignored/.test(d.message)));
    // An alias is served over TLS with the host's certificate when it covers the alias.
    const r = await httpsRequest(sluice.httpsPort, '/', { servername: 'alias.tlswww.test' });
    assert.equal(r.json().backend, 'app');
    assert.match(r.peerNames, /DNS:alias\.tlswww\.test/);
  });

  test('preserve-trailing-slash keeps the slash in the SSL redirect; by default one is dropped', async () => {
    let r = await get('pts.test', '/');
    assert.deepEqual([r.status, r.headers.location], [308, 'https://pts.test/']);
    assert.equal((await get('pts.test', '/dir/')).headers.location, 'https://pts.test/dir/');
    r = await get('nopts.test', '/dir/');
    assert.deepEqual([r.status, r.headers.location], [308, 'https://nopts.test/dir']);
    assert.equal((await get('nopts.test', '/')).headers.location, 'https://nopts.test');
  });

  test('use-port-in-redirects adds the HTTPS listener port to the SSL redirect', async () => {
    const r = await get('sslport.test', '/dir/');
    assert.deepEqual([r.status, r.headers.location], [308, `https://sslport.test:${sluice.httpsPort}/dir`]);
  });

  test('invalid values deny the Ingress (503) with an error naming annotation, value and form', async () => {
    for (const h of ['bad1.test', 'bad2.test', 'bad3.test', 'bad4.test', 'bad5.test', 'bad6.test']) assert.equal((await get(h, '/')).status, 503, h);
    const errors = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: { object: { name: string }; reason: string; field: string; message: string }[] };
    const find = (name: string, key: string) => errors.diagnostics.find((d) => d.object.name === name && d.reason === 'InvalidAnnotation' && d.field === `metadata.annotations["${A}${key}"]`)?.message ?? '';
    assert.match(find('bad-code', 'permanent-redirect-code'), /"310".*300 to 308/);
    assert.match(find('bad-temp', 'temporal-redirect'), /"\/relative".*http/);
    assert.match(find('bad-scheme', 'permanent-redirect'), /ftp:/);
    assert.match(find('bad-approot', 'app-root'), /absolute path/);
    assert.match(find('bad-alias', 'server-alias'), /regex/);
    assert.match(find('bad-www', 'from-to-www-redirect'), /"sure".*true or false/);
  });
});
