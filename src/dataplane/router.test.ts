// The official Kubernetes path-matching table (kubernetes.io/docs/concepts/services-networking/
// ingress/#examples) and the host wildcard rules, run through compile + Router exactly as the
// data plane matches requests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, type CompileOptions } from '../compile/compile.ts';
import { normalizeObject } from '../store/normalize.ts';
import { snapshotOf } from '../store/store.ts';
import type { KubeObject } from '../model/k8s.ts';
import { BackendRegistry } from './upstream/backends.ts';
import { PoolRegistry } from './upstream/pool.ts';
import { Router } from './router.ts';

const OPTS: CompileOptions = {
  ingressClass: 'sluice',
  controllerClass: 'sluice.dev/ingress-controller',
  watchWithoutClass: false,
  defaultBackendService: null,
  configMap: null,
  annotationsPrefix: 'nginx.ingress.kubernetes.io',
  allowCrossNamespaceSecrets: false,
  defaultSslCertificate: null,
};

function obj(raw: unknown): KubeObject {
  const r = normalizeObject(raw);
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.object;
}

/** Builds a router for one host with the given (pathType, path) list; each path → service p<i>. */
function routerFor(paths: [string, string][], hosts: (string | undefined)[] = ['example.com']): Router {
  const objs: KubeObject[] = [];
  paths.forEach((_, i) => objs.push(obj({ apiVersion: 'v1', kind: 'Service', metadata: { name: `p${i}`, namespace: 'ns' }, spec: { ports: [{ port: 80 }] } })));
  objs.push(
    obj({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'i', namespace: 'ns' },
      spec: {
        ingressClassName: 'sluice',
        rules: hosts.map((h) => ({
          ...(h === undefined ? {} : { host: h }),
          http: { paths: paths.map(([type, path], i) => ({ path, pathType: type, backend: { service: { name: `p${i}`, port: { number: 80 } } } })) },
        })),
      },
    }),
  );
  const r = compile(snapshotOf(objs), OPTS, 1);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  return new Router(r.table, new BackendRegistry(new PoolRegistry()));
}

/** Which path index matched, or null. */
function matched(router: Router, host: string, path: string): number | null {
  const t = router.route(host, path);
  if (t.route === null) return null;
  return Number(t.service.slice(1));
}

// [kind, paths, request path, matches?, expected index when several paths]
const OFFICIAL: { paths: [string, string][]; request: string; match: number | null; note: string }[] = [
  { paths: [['Prefix', '/']], request: '/anything/at/all', match: 0, note: 'Prefix / matches all paths' },
  { paths: [['Exact', '/foo']], request: '/foo', match: 0, note: 'Exact /foo matches /foo' },
  { paths: [['Exact', '/foo']], request: '/bar', match: null, note: 'Exact /foo does not match /bar' },
  { paths: [['Exact', '/foo']], request: '/foo/', match: null, note: 'Exact /foo does not match /foo/' },
  { paths: [['Exact', '/foo/']], request: '/foo', match: null, note: 'Exact /foo/ does not match /foo' },
  { paths: [['Prefix', '/foo']], request: '/foo', match: 0, note: 'Prefix /foo matches /foo' },
  { paths: [['Prefix', '/foo']], request: '/foo/', match: 0, note: 'Prefix /foo matches /foo/' },
  { paths: [['Prefix', '/foo/']], request: '/foo', match: 0, note: 'Prefix /foo/ matches /foo' },
  { paths: [['Prefix', '/foo/']], request: '/foo/', match: 0, note: 'Prefix /foo/ matches /foo/' },
  { paths: [['Prefix', '/aaa/bb']], request: '/aaa/bbb', match: null, note: 'Prefix /aaa/bb does not match /aaa/bbb' },
  { paths: [['Prefix', '/aaa/bbb']], request: '/aaa/bbb', match: 0, note: 'Prefix /aaa/bbb matches /aaa/bbb' },
  { paths: [['Prefix', '/aaa/bbb/']], request: '/aaa/bbb', match: 0, note: 'Prefix /aaa/bbb/ matches /aaa/bbb (ignores trailing slash)' },
  { paths: [['Prefix', '/aaa/bbb']], request: '/aaa/bbb/', match: 0, note: 'Prefix /aaa/bbb matches /aaa/bbb/ (matches trailing slash)' },
  { paths: [['Prefix', '/aaa/bbb']], request: '/aaa/bbb/ccc', match: 0, note: 'Prefix /aaa/bbb matches /aaa/bbb/ccc (subpath)' },
  { paths: [['Prefix', '/aaa/bbb']], request: '/aaa/bbbxyz', match: null, note: 'Prefix /aaa/bbb does not match /aaa/bbbxyz (not a string prefix)' },
  { paths: [['Prefix', '/'], ['Prefix', '/aaa']], request: '/aaa/ccc', match: 1, note: 'Prefix /, /aaa: /aaa/ccc matches /aaa' },
  { paths: [['Prefix', '/'], ['Prefix', '/aaa'], ['Prefix', '/aaa/bbb']], request: '/aaa/bbb', match: 2, note: 'Prefix /, /aaa, /aaa/bbb: /aaa/bbb matches /aaa/bbb' },
  { paths: [['Prefix', '/'], ['Prefix', '/aaa'], ['Prefix', '/aaa/bbb']], request: '/ccc', match: 0, note: 'Prefix /, /aaa, /aaa/bbb: /ccc matches /' },
  { paths: [['Prefix', '/aaa']], request: '/ccc', match: null, note: 'Prefix /aaa does not match /ccc (default backend)' },
  { paths: [['Prefix', '/foo'], ['Exact', '/foo']], request: '/foo', match: 1, note: 'Mixed: Prefix /foo and Exact /foo: /foo prefers Exact' },
];

for (const c of OFFICIAL) {
  test(`official table: ${c.note}`, () => {
    assert.equal(matched(routerFor(c.paths), 'example.com', c.request), c.match);
  });
}

test('conformance extras: Exact is case-sensitive; Prefix /aaa does not match /aaaccc', () => {
  assert.equal(matched(routerFor([['Exact', '/foo']]), 'example.com', '/FOO'), null);
  assert.equal(matched(routerFor([['Prefix', '/aaa']]), 'example.com', '/aaaccc'), null);
  assert.equal(matched(routerFor([['Prefix', '/aaa']]), 'example.com', '/AAA'), null);
});

test('longest prefix wins regardless of declaration order; Exact beats a Prefix of equal length', () => {
  const r = routerFor([['Prefix', '/a/b/c'], ['Prefix', '/a'], ['Exact', '/a/b'], ['Prefix', '/a/b']]);
  assert.equal(matched(r, 'example.com', '/a/b/c/d'), 0);
  assert.equal(matched(r, 'example.com', '/a/b'), 2);
  assert.equal(matched(r, 'example.com', '/a/b/'), 3);
  assert.equal(matched(r, 'example.com', '/a/x'), 1);
});

test('ImplementationSpecific behaves as Prefix', () => {
  const r = routerFor([['ImplementationSpecific', '/docs']]);
  assert.equal(matched(r, 'example.com', '/docs/x'), 0);
  assert.equal(matched(r, 'example.com', '/docsx'), null);
});

const HOSTS: { rule: string; request: string; match: boolean }[] = [
  { rule: '*.foo.com', request: 'bar.foo.com', match: true },
  { rule: '*.foo.com', request: 'baz.bar.foo.com', match: false },
  { rule: '*.foo.com', request: 'foo.com', match: false },
  { rule: 'foo.bar.com', request: 'foo.bar.com', match: true },
  { rule: 'foo.bar.com', request: 'bar.foo.com', match: false },
];

for (const h of HOSTS) {
  test(`host rule ${h.rule} ${h.match ? 'matches' : 'does not match'} ${h.request}`, () => {
    assert.equal(matched(routerFor([['Prefix', '/']], [h.rule]), h.request, '/') !== null, h.match);
  });
}

test('an exact host beats a wildcard; hosts compare case-insensitively (router gets lower-case)', () => {
  const r = routerFor([['Prefix', '/']], ['*.example.com', 'www.example.com']);
  const exact = r.findServer('www.example.com');
  assert.equal(exact.server.host, 'www.example.com');
  assert.equal(r.findServer('api.example.com').server.host, '*.example.com');
});

test('a rule without host matches any host', () => {
  const r = routerFor([['Prefix', '/x']], [undefined]);
  assert.equal(matched(r, 'anything.test', '/x'), 0);
  assert.equal(matched(r, '', '/x/y'), 0);
});
