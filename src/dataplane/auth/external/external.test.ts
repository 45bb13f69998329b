import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestView } from '../../policy/request-view.ts';
import type { Target } from '../../router.ts';
import { validityMs } from './cache.ts';
import type { AuthAnswer } from './client.ts';
import { subrequestHeaders } from './subrequest.ts';
import { compileTemplate, escapeUriComponent } from './template.ts';

function view(over: Partial<RequestView> & { headers?: [string, string][] } = {}): RequestView {
  const headers = over.headers ?? [['Host', 'app.test'], ['Authorization', 'Basic dXNlcjpwdw=='], ['Cookie', 'a=1; sid=XYZ']];
  return {
    method: 'GET',
    scheme: 'http',
    host: 'App.test:8080',
    hostname: 'app.test',
    path: '/p q',
    rawPath: '/p%20q',
    query: '?x=1&User=bob',
    clientIp: '10.0.0.9',
    serverPort: 8080,
    requestId: 'abc123',
    forwardedProto: 'https',
    forwardedFor: '1.1.1.1, 10.0.0.9',
    header(name: string) {
      const vs = headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
      return vs.length === 0 ? null : vs.join(', ');
    },
    headerList: () => headers,
    ...over,
  } as RequestView;
}

const target = { namespace: 'ns', ingress: 'ing', service: 'svc', servicePort: 'http', path: '/p', cfg: { 'use-forwarded-headers': false } } as unknown as Target;

test('templates: nginx variables from the request and the route', () => {
  const req = view();
  const ev = (s: string): string => compileTemplate(s).evaluate(req, target);
  assert.equal(ev('$scheme://$host$request_uri'), 'http://app.test/p%20q?x=1&User=bob');
  assert.equal(ev('$pass_access_scheme|$http_host|$server_port|$uri|$args|$is_args'), 'https|App.test:8080|8080|/p q|x=1&User=bob|?');
  assert.equal(ev('${remote_addr}-$remote_user-$request_id-$req_id-$request_method'), '10.0.0.9-user-abc123-abc123-GET');
  assert.equal(ev('$http_authorization|$cookie_sid|$arg_user|$arg_none|$http_x_none'), 'Basic dXNlcjpwdw==|XYZ|bob||');
  assert.equal(ev('$namespace/$ingress_name/$service_name:$service_port$location_path'), 'ns/ing/svc:http/p');
  assert.equal(ev('$escaped_request_uri'), '%2Fp%2520q%3Fx%3D1%26User%3Dbob');
  assert.equal(ev('plain text'), 'plain text');
  assert.ok(compileTemplate('no vars').constant);
  assert.equal(escapeUriComponent('/?a=b&c=d~_.-'), '%2F%3Fa%3Db%26c%3Dd~_.-');
});

test('subrequest headers: client headers minus those nginx replaces or clears, plus the auth location set', () => {
  const req = view({
    headers: [
      ['Host', 'app.test'],
      ['Authorization', 'Bearer t'],
      ['Connection', 'keep-alive'],
      ['Content-Length', '10'],
      ['X-Forwarded-Proto', 'https'],
      ['X-Original-URL', 'forged'],
      ['X_Under', 'dropped'],
      ['X-Tenant', 'forged'],
      ['Proxy', 'http://evil'],
      ['Accept', 'a'],
      ['Accept', 'b'],
    ],
  });
  const flat = subrequestHeaders(req, target, { methodSet: true, requestRedirect: null, setHeaders: [['X-Tenant', compileTemplate('$host')], ['X-Empty', compileTemplate('$http_nothing')]], setNames: new Set(['x-tenant', 'x-empty']) }, 'auth.svc');
  const pairs: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  assert.deepEqual(pairs, [
    ['Host', 'auth.svc'],
    ['Authorization', 'Bearer t'],
    ['Accept', 'a'],
    ['Accept', 'b'],
    ['X-Request-ID', 'abc123'],
    ['X-Original-URI', '/p%20q?x=1&User=bob'],
    ['X-Scheme', 'https'],
    ['X-Original-URL', 'http://App.test:8080/p%20q?x=1&User=bob'],
    ['X-Original-Method', 'GET'],
    ['X-Sent-From', 'nginx-ingress-controller'],
    ['X-Real-IP', '10.0.0.9'],
    ['X-Forwarded-For', '1.1.1.1, 10.0.0.9'],
    ['X-Auth-Request-Redirect', '/p%20q?x=1&User=bob'],
    ['X-Tenant', 'app.test'],
  ]);
  const noMethod = subrequestHeaders(view({ requestId: '' }), target, { methodSet: false, requestRedirect: compileTemplate('https://$host/done'), setHeaders: [], setNames: new Set() }, 'a');
  assert.ok(!noMethod.includes('X-Original-URI') && !noMethod.includes('X-Scheme') && !noMethod.includes('X-Request-ID'));
  assert.equal(noMethod[noMethod.indexOf('X-Auth-Request-Redirect') + 1], 'https://app.test/done');
});

test('auth cache validity follows nginx proxy_cache rules', () => {
  const now = Date.UTC(2026, 0, 1);
  const d = [
    { statuses: [200, 202, 401], seconds: 300 },
    { statuses: [], seconds: 10 },
  ];
  const a = (status: number, headers: AuthAnswer['headers'] = {}): AuthAnswer => ({ status, headers });
  assert.equal(validityMs(a(200), d, now), 300_000);
  assert.equal(validityMs(a(403), d, now), 10_000, '"any" entry');
  assert.equal(validityMs(a(403), [d[0]!], now), 0);
  assert.equal(validityMs(a(200, { 'set-cookie': ['a=1'] }), d, now), 0);
  assert.equal(validityMs(a(200, { 'cache-control': 'private, max-age=60' }), d, now), 0);
  assert.equal(validityMs(a(200, { 'cache-control': 'no-store' }), d, now), 0);
  assert.equal(validityMs(a(200, { 'cache-control': 'max-age=60' }), d, now), 60_000);
  assert.equal(validityMs(a(500, { 'cache-control': 's-maxage=5, max-age=60' }), d, now), 5_000, 'max-age caches any status');
  assert.equal(validityMs(a(200, { 'x-accel-expires': '0' }), d, now), 0);
  assert.equal(validityMs(a(200, { 'x-accel-expires': '7', 'cache-control': 'max-age=60' }), d, now), 7_000);
  assert.equal(validityMs(a(200, { expires: new Date(now + 30_000).toUTCString() }), d, now), 30_000);
  assert.equal(validityMs(a(200, { vary: 'Accept, *' }), d, now), 0);
});
