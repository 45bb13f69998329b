// End to end: default-backend, custom-http-errors (annotation and ConfigMap) and
// disable-proxy-intercept-errors — what the error backend receives (X-Code & co, method, "/"
// with the query, body) and what the client gets (the error backend's status and body).
// Expectations follow ingress-nginx's e2e tests (default_backend.go, customhttperrors.go,
// disableproxyintercepterrors.go) and nginx.tmpl's CUSTOM_ERRORS location.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend, type Handler } from '../helpers/backend.ts';
import { backendObjects, configMap, ingress, service } from '../helpers/objects.ts';
import { request } from '../helpers/client.ts';
import { closedPort } from '../helpers/ports.ts';

const A = 'nginx.ingress.kubernetes.io/';

interface Seen {
  backend: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyBytes: number;
}

/** The application: /status/<code> answers that status with its own body; anything else echoes. */
const app: Handler = (req, res, body) => {
  const m = /^\/status\/(\d{3})/.exec(req.url ?? '');
  if (m) {
    res.writeHead(Number(m[1]), { 'content-type': 'text/plain', 'x-upstream': 'app' });
    res.end(`upstream ${m[1]}`);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ backend: 'app', method: req.method, url: req.url, headers: req.headers, bodyBytes: body.length }));
};

/** An error-pages backend like ingress-nginx's custom-error-pages example: answers with X-Code. */
const pages: Handler = (req, res, body) => {
  const code = Number(req.headers['x-code'] ?? 404);
  res.writeHead(code, { 'content-type': 'application/json', 'x-error-page': 'pages' });
  res.end(JSON.stringify({ backend: 'pages', method: req.method, url: req.url, headers: req.headers, bodyBytes: body.length }));
};

describe('default-backend and custom-http-errors end to end', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  const be: Record<string, Backend> = {};

  before(async () => {
    be.app = await startBackend('app', app);
    be.pages = await startBackend('pages', pages);
    be.echo = await startBackend('echo');
    be.fallback = await startBackend('fallback');
    dir = new ManifestDir();
    dir.write('backends.yaml', [
      ...backendObjects('web', 'app', [be.app.port]),
      ...backendObjects('web', 'pages', [be.pages.port]),
      ...backendObjects('web', 'echo', [be.echo.port]),
      ...backendObjects('infra', 'fallback', [be.fallback.port]),
      ...backendObjects('web', 'dead', [await closedPort()]),
      service('web', 'empty'),
      service('web', 'empty2'),
    ]);
    dir.write('ingresses.yaml', [
      // default-backend: used when the route's Service has no endpoints or does not exist.
      ingress('web', 'db-empty', [{ host: 'dbempty.test', paths: [{ path: '/', service: 'empty' }] }], { annotations: { [`${A}default-backend`]: 'echo' } }),
      ingress('web', 'db-missing', [{ host: 'dbmissing.test', paths: [{ path: '/', service: 'invalid' }] }], { annotations: { [`${A}default-backend`]: 'echo' } }),
      ingress('web', 'db-ok', [{ host: 'dbok.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}default-backend`]: 'echo' } }),
      ingress('web', 'db-none', [{ host: 'dbnone.test', paths: [{ path: '/', service: 'empty' }] }], { annotations: { [`${A}default-backend`]: 'empty2' } }),
      ingress('web', 'db-gone', [{ host: 'dbgone.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}default-backend`]: 'not-there' } }),
      // custom-http-errors with the annotation's default backend.
      ingress('web', 'che', [{ host: 'che.test', paths: [{ path: '/', service: 'app' }] }], {
        annotations: { [`${A}custom-http-errors`]: '404, 503', [`${A}default-backend`]: 'pages' },
      }),
      // The same with a streamed request body (proxy-request-buffering off).
      ingress('web', 'che-stream', [{ host: 'chestream.test', paths: [{ path: '/', service: 'app' }] }], {
        annotations: { [`${A}custom-http-errors`]: '404, 503', [`${A}default-backend`]: 'pages', [`${A}proxy-request-buffering`]: 'off' },
      }),
      // An error backend that answers 200: the client gets 200 (error_page <code> = @custom).
      ingress('web', 'che-echo', [{ host: 'cheecho.test', paths: [{ path: '/', service: 'app' }] }], {
        annotations: { [`${A}custom-http-errors`]: '404', [`${A}default-backend`]: 'echo' },
      }),
      // Without default-backend: the controller's --default-backend-service.
      ingress('web', 'che-controller', [{ host: 'chectl.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}custom-http-errors`]: '418' } }),
      // The annotation's backend without endpoints: the controller's default backend answers.
      ingress('web', 'che-empty-db', [{ host: 'cheempty.test', paths: [{ path: '/', service: 'app' }] }], {
        annotations: { [`${A}custom-http-errors`]: '404', [`${A}default-backend`]: 'empty2' },
      }),
      // disable-proxy-intercept-errors (ingress-nginx e2e): the upstream's 404 reaches the client.
      ingress('web', 'che-disabled', [{ host: 'chedis.test', paths: [{ path: '/', service: 'app' }] }], {
        annotations: { [`${A}custom-http-errors`]: '404', [`${A}disable-proxy-intercept-errors`]: 'true', [`${A}default-backend`]: 'echo' },
      }),
      // No annotation: the ConfigMap's list (502) and the controller's default backend.
      ingress('web', 'plain', [{ host: 'plain.test', paths: [{ path: '/', service: 'app' }] }]),
      // error_page also covers answers sluice generates: 502 after the upstream failed, 503
      // without endpoints, and a policy's own answer (here the SSL redirect, 308 in the ConfigMap list).
      ingress('web', 'dead', [{ host: 'dead.test', paths: [{ path: '/', service: 'dead' }] }], {
        annotations: { [`${A}custom-http-errors`]: '502', [`${A}default-backend`]: 'pages' },
      }),
      ingress('web', 'noeps', [{ host: 'noeps.test', paths: [{ path: '/', service: 'empty' }] }], { annotations: { [`${A}custom-http-errors`]: '503' } }),
      ingress('web', 'ssl', [{ host: 'ssl.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}force-ssl-redirect`]: 'true' } }),
      // Invalid values.
      ingress('web', 'bad-codes', [{ host: 'bad1.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}custom-http-errors`]: '404,abc' } }),
      ingress('web', 'bad-range', [{ host: 'bad2.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}custom-http-errors`]: '302' } }),
      ingress('web', 'bad-name', [{ host: 'bad3.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}default-backend`]: 'web/Echo' } }),
      ingress('web', 'bad-flag', [{ host: 'bad4.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}disable-proxy-intercept-errors`]: 'maybe' } }),
    ]);
    dir.write('config.yaml', [configMap('infra', 'sluice', { 'custom-http-errors': '502,308' })]);
    sluice = await startSluice({ manifests: [dir.path], args: ['--configmap', 'infra/sluice', '--default-backend-service', 'infra/fallback'] });
  });

  after(async () => {
    await sluice?.stop();
    for (const b of Object.values(be)) await b.close();
    dir?.cleanup();
  });

  const get = (host: string, path: string, headers: Record<string, string> = {}) => request(sluice.httpPort, path, { host, headers });

  test('default-backend answers when the Service has no endpoints, with X-Code 503 & co (ingress-nginx e2e)', async () => {
    const r = await get('dbempty.test', '/alma/armud?q=1', { 'x-request-id': 'something-unique', accept: 'application/json' });
    assert.equal(r.status, 200);
    const seen = r.json<Seen>();
    assert.equal(seen.backend, 'echo');
    assert.equal(seen.url, '/alma/armud?q=1');
    assert.equal(seen.headers['x-code'], '503');
    assert.equal(seen.headers['x-format'], 'application/json');
    assert.equal(seen.headers['x-namespace'], 'web');
    assert.equal(seen.headers['x-ingress-name'], 'db-empty');
    assert.equal(seen.headers['x-service-name'], 'empty');
    assert.equal(seen.headers['x-service-port'], '80');
    assert.equal(seen.headers['x-request-id'], 'something-unique');
    assert.equal(seen.headers.host, 'dbempty.test');
  });

  test('default-backend also answers when the Service does not exist; not when it has endpoints', async () => {
    let r = await get('dbmissing.test', '/x');
    assert.equal(r.status, 200);
    assert.equal(r.json<Seen>().headers['x-service-name'], 'invalid');
    r = await get('dbok.test', '/x');
    assert.equal(r.json<Seen>().backend, 'app');
    assert.equal(r.json<Seen>().headers['x-code'], undefined);
    // Its own Service without endpoints: 503 as without the annotation.
    assert.equal((await get('dbnone.test', '/x')).status, 503);
    // A default-backend Service that does not exist is reported, and the Ingress keeps working.
    assert.equal((await get('dbgone.test', '/x')).json<Seen>().backend, 'app');
    const errors = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: { object: { name: string }; severity: string; reason: string }[] };
    assert.ok(errors.diagnostics.some((d) => d.object.name === 'db-gone' && d.reason === 'ServiceNotFound' && d.severity === 'warning'));
  });

  test('custom-http-errors: a listed status is answered by the default backend, which sees X-Code & co', async () => {
    const r = await get('che.test', '/status/404?q=1', { 'x-request-id': 'req-1', accept: 'text/html' });
    assert.equal(r.status, 404);
    assert.equal(r.headers['x-error-page'], 'pages');
    assert.equal(r.headers['x-upstream'], undefined);
    const seen = r.json<Seen>();
    assert.equal(seen.backend, 'pages');
    assert.equal(seen.method, 'GET');
    assert.equal(seen.url, '/?q=1');
    assert.equal(seen.headers['x-code'], '404');
    assert.equal(seen.headers['x-format'], 'text/html');
    assert.equal(seen.headers['x-original-uri'], '/status/404?q=1');
    assert.equal(seen.headers['x-namespace'], 'web');
    assert.equal(seen.headers['x-ingress-name'], 'che');
    assert.equal(seen.headers['x-service-name'], 'app');
    assert.equal(seen.headers['x-service-port'], '80');
    assert.equal(seen.headers['x-request-id'], 'req-1');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.headers.host, 'che.test');
    // A status not in the list passes through.
    const pass = await get('che.test', '/status/500');
    assert.deepEqual([pass.status, pass.text, pass.headers['x-upstream']], [500, 'upstream 500', 'app']);
    // The annotation replaces the ConfigMap's list: 502 is not intercepted here.
    assert.equal((await get('che.test', '/status/502')).text, 'upstream 502');
  });

  test('the request method and body are sent again to the error backend', async () => {
    const r = await request(sluice.httpPort, '/status/503', { host: 'che.test', method: 'POST', body: 'x'.repeat(3000), headers: { 'content-type': 'text/plain' } });
    assert.equal(r.status, 503);
    const seen = r.json<Seen>();
    assert.deepEqual([seen.backend, seen.method, seen.bodyBytes, seen.headers['x-code']], ['pages', 'POST', 3000, '503']);
  });

  test('a large buffered request body goes to the error backend too; a streamed one no longer held passes the upstream response through', async () => {
    // proxy-request-buffering on (default): the whole body is held, as nginx keeps it for error_page.
    const held = await request(sluice.httpPort, '/status/503', { host: 'che.test', method: 'POST', body: Buffer.alloc(200_000, 'y') });
    assert.equal(held.status, 503);
    assert.deepEqual([held.json<Seen>().backend, held.json<Seen>().bodyBytes], ['pages', 200_000]);
    const r = await request(sluice.httpPort, '/status/503', { host: 'chestream.test', method: 'POST', body: Buffer.alloc(200_000, 'y') });
    assert.deepEqual([r.status, r.text], [503, 'upstream 503']);
  });

  test('the client gets the error backend\'s status: 200 from an echo backend (ingress-nginx e2e)', async () => {
    const r = await get('cheecho.test', '/status/404', { 'x-request-id': 'proxy_intercept_errors' });
    assert.equal(r.status, 200);
    const seen = r.json<Seen>();
    assert.equal(seen.headers['x-code'], '404');
    assert.equal(seen.headers['x-ingress-name'], 'che-echo');
    assert.equal(seen.headers['x-service-name'], 'app');
    assert.equal(seen.headers['x-request-id'], 'proxy_intercept_errors');
  });

  test('without a default-backend annotation (or with one without endpoints) the controller\'s default backend answers', async () => {
    let r = await get('chectl.test', '/status/418');
    assert.equal(r.status, 200);
    assert.deepEqual([r.json<Seen>().backend, r.json<Seen>().headers['x-code']], ['fallback', '418']);
    r = await get('cheempty.test', '/status/404');
    assert.deepEqual([r.json<Seen>().backend, r.json<Seen>().headers['x-code']], ['fallback', '404']);
  });

  test('disable-proxy-intercept-errors passes the upstream error through (ingress-nginx e2e)', async () => {
    const r = await get('chedis.test', '/status/404');
    assert.deepEqual([r.status, r.text], [404, 'upstream 404']);
  });

  test('ConfigMap custom-http-errors applies to Ingresses without the annotation', async () => {
    const r = await get('plain.test', '/status/502');
    assert.equal(r.status, 200);
    assert.deepEqual([r.json<Seen>().backend, r.json<Seen>().headers['x-code']], ['fallback', '502']);
    assert.equal((await get('plain.test', '/status/404')).text, 'upstream 404');
  });

  test('statuses sluice generates are intercepted too: 502 (upstream down), 503 (no endpoints), a policy\'s 308', async () => {
    let r = await get('dead.test', '/x?y=1', { 'x-request-id': 'dead-1' });
    assert.equal(r.status, 502);
    let seen = r.json<Seen>();
    assert.deepEqual([seen.backend, seen.url, seen.headers['x-code'], seen.headers['x-service-name'], seen.headers['x-original-uri']], ['pages', '/?y=1', '502', 'dead', '/x?y=1']);
    r = await get('noeps.test', '/x');
    assert.equal(r.status, 200);
    seen = r.json<Seen>();
    assert.deepEqual([seen.backend, seen.headers['x-code'], seen.headers['x-service-name']], ['fallback', '503', 'empty']);
    r = await get('ssl.test', '/x');
    assert.equal(r.status, 200);
    assert.deepEqual([r.json<Seen>().backend, r.json<Seen>().headers['x-code']], ['fallback', '308']);
  });

  test('keep-alive survives an intercepted exchange', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const a = await request(sluice.httpPort, '/status/404', { host: 'che.test', agent });
      const b = await request(sluice.httpPort, '/ok', { host: 'che.test', agent });
      const c = await request(sluice.httpPort, '/status/503', { host: 'che.test', agent });
      assert.deepEqual([a.status, b.status, c.status], [404, 200, 503]);
      assert.equal(b.json<Seen>().backend, 'app');
    } finally {
      agent.destroy();
    }
  });

  test('invalid values deny the Ingress (503) with an error', async () => {
    for (const h of ['bad1.test', 'bad2.test', 'bad3.test', 'bad4.test']) assert.equal((await get(h, '/')).status, 503, h);
    const errors = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: { object: { name: string }; reason: string; message: string }[] };
    const find = (name: string) => errors.diagnostics.find((d) => d.object.name === name && d.reason === 'InvalidAnnotation')?.message ?? '';
    assert.match(find('bad-codes'), /"404,abc".*400 to 599/);
    assert.match(find('bad-range'), /"302"/);
    assert.match(find('bad-name'), /"web\/Echo".*Service/);
    assert.match(find('bad-flag'), /"maybe"/);
  });
});

describe('custom-http-errors without any default backend', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let appBackend: Backend;

  before(async () => {
    appBackend = await startBackend('app', app);
    dir = new ManifestDir();
    dir.write('all.yaml', [
      ...backendObjects('web', 'app', [appBackend.port]),
      ingress('web', 'che', [{ host: 'che.test', paths: [{ path: '/', service: 'app' }] }], { annotations: { [`${A}custom-http-errors`]: '500' } }),
    ]);
    sluice = await startSluice({ manifests: [dir.path] });
  });

  after(async () => {
    await sluice?.stop();
    await appBackend?.close();
    dir?.cleanup();
  });

  test('ingress-nginx\'s built-in default server answers: 404', async () => {
    const r = await request(sluice.httpPort, '/status/500', { host: 'che.test' });
    assert.equal(r.status, 404);
    assert.match(r.text, /404 Not Found/);
    assert.equal((await request(sluice.httpPort, '/status/503', { host: 'che.test' })).text, 'upstream 503');
  });
});
