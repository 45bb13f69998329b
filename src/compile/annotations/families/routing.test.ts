// Parsers of the routing, redirect and error-page annotations: defaults, accepted values, and
// every invalid value becoming an InvalidAnnotation error (Ingress denied) that names the
// annotation, the value and the expected form.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIngressAnnotations, type IngressAnnotations } from '../index.ts';
import { DEFAULT_CONFIG, parseGlobalConfig, type GlobalConfig } from '../../config.ts';
import { Diagnostics } from '../../diagnostics.ts';
import { snapshotOf } from '../../../store/store.ts';
import { normalizeObject } from '../../../store/normalize.ts';
import type { Ingress, KubeObject } from '../../../model/k8s.ts';

const P = 'nginx.ingress.kubernetes.io/';

function obj(raw: unknown): KubeObject {
  const r = normalizeObject(raw);
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.object;
}

const SERVICES = [
  obj({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'errors', namespace: 'ns' }, spec: { ports: [{ name: 'http', port: 8080 }, { name: 'm', port: 9090 }] } }),
  obj({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'portless', namespace: 'ns' }, spec: {} }),
];

function parse(annotations: Record<string, string>, cfg: GlobalConfig = DEFAULT_CONFIG): { ann: IngressAnnotations; diags: Diagnostics } {
  const full: Record<string, string> = {};
  for (const [k, v] of Object.entries(annotations)) full[P + k] = v;
  const ing = obj({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'ns', annotations: full }, spec: {} }) as Ingress;
  const diags = new Diagnostics();
  const ann = parseIngressAnnotations(ing, { cfg, snap: snapshotOf(SERVICES), opts: { annotationsPrefix: 'nginx.ingress.kubernetes.io', allowCrossNamespaceSecrets: false }, diags, referencedSecrets: new Set() });
  return { ann, diags };
}

/** Asserts one InvalidAnnotation for `key` mentioning `value`, and a denied policy. */
function invalid(annotations: Record<string, string>, key: string, expected: RegExp): void {
  const { ann, diags } = parse(annotations);
  const errs = diags.list.filter((d) => d.reason === 'InvalidAnnotation');
  assert.equal(errs.length, 1, JSON.stringify(diags.list));
  assert.equal(errs[0]!.field, `metadata.annotations["${P}${key}"]`);
  assert.ok(errs[0]!.message.includes(`invalid value ${JSON.stringify(annotations[key])}`), errs[0]!.message);
  assert.match(errs[0]!.message, expected);
  assert.notEqual(ann.policy.denied, null);
}

test('defaults: no rewrite, no redirect, no vhost, no error pages', () => {
  const { ann } = parse({ 'proxy-read-timeout': '5' });
  assert.deepEqual(ann.policy.rewrite, { useRegex: false, target: null, xForwardedPrefix: null });
  assert.deepEqual(ann.policy.redirect, { url: null, code: 0, relative: false, usePort: false });
  assert.equal(ann.policy.upstreamVhost, null);
  assert.deepEqual(ann.policy.errors, { codes: [], backend: null });
  assert.deepEqual(ann.server, { regex: false, aliases: [], fromToWww: false, appRoot: null });
});

test('use-regex / rewrite-target / x-forwarded-prefix / app-root', () => {
  const { ann, diags } = parse({ 'use-regex': 'True', 'rewrite-target': '/$2', 'x-forwarded-prefix': ' /api/$1 ', 'app-root': '/app' });
  assert.deepEqual(diags.list, []);
  assert.deepEqual(ann.policy.rewrite, { useRegex: true, target: '/$2', xForwardedPrefix: '/api/$1' });
  assert.equal(ann.server.appRoot, '/app');
  assert.equal(ann.server.regex, true);
  // An empty rewrite-target or x-forwarded-prefix sets nothing.
  assert.deepEqual(parse({ 'rewrite-target': '', 'x-forwarded-prefix': '' }).ann.policy.rewrite, { useRegex: false, target: null, xForwardedPrefix: null });
});

test('invalid rewrite values', () => {
  invalid({ 'use-regex': 'yes' }, 'use-regex', /true or false/);
  invalid({ 'rewrite-target': 'https://example.com/$1' }, 'rewrite-target', /absolute URL/);
  invalid({ 'rewrite-target': 'relative/$1' }, 'rewrite-target', /starting with "\/"/);
  invalid({ 'rewrite-target': '/$uri' }, 'rewrite-target', /\$1\.\.\$9/);
  invalid({ 'rewrite-target': '/a?b=1' }, 'rewrite-target', /starting with "\/"/);
  invalid({ 'x-forwarded-prefix': '$host' }, 'x-forwarded-prefix', /\$1\.\.\$9/);
  invalid({ 'x-forwarded-prefix': '/a b"c' }, 'x-forwarded-prefix', /path prefix/);
  invalid({ 'app-root': 'http://x/app' }, 'app-root', /absolute path/);
  invalid({ 'app-root': 'app' }, 'app-root', /absolute path/);
});

test('redirects: codes default to 301/302, temporal wins, relative and port flags', () => {
  let r = parse({ 'permanent-redirect': 'https://a.example/x?y=1&z=2' }).ann.policy.redirect;
  assert.deepEqual([r.url, r.code], ['https://a.example/x?y=1&z=2', 301]);
  r = parse({ 'permanent-redirect': '/local', 'permanent-redirect-code': '308', 'relative-redirects': 'true', 'use-port-in-redirects': '1' }).ann.policy.redirect;
  assert.deepEqual(r, { url: '/local', code: 308, relative: true, usePort: true });
  r = parse({ 'temporal-redirect': 'http://t.example', 'temporal-redirect-code': '307', 'permanent-redirect': 'http://p.example' }).ann.policy.redirect;
  assert.deepEqual([r.url, r.code], ['http://t.example', 307]);
  r = parse({ 'temporal-redirect': 'http://t.example' }).ann.policy.redirect;
  assert.equal(r.code, 302);
  assert.equal(parse({ 'from-to-www-redirect': 'true' }).ann.server.fromToWww, true);
  // The ConfigMap's relative-redirects is the default.
  const cfg = parseGlobalConfig(obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' }, data: { 'relative-redirects': 'true' } }) as never).config;
  assert.equal(parse({ 'permanent-redirect': '/x' }, cfg).ann.policy.redirect.relative, true);
});

test('invalid redirect values', () => {
  invalid({ 'permanent-redirect': 'https://x', 'permanent-redirect-code': '299' }, 'permanent-redirect-code', /300 to 308/);
  invalid({ 'permanent-redirect': 'https://x', 'permanent-redirect-code': 'moved' }, 'permanent-redirect-code', /whole number/);
  invalid({ 'temporal-redirect': 'https://x', 'temporal-redirect-code': '404' }, 'temporal-redirect-code', /300 to 308/);
  invalid({ 'temporal-redirect': '/relative' }, 'temporal-redirect', /absolute http/);
  invalid({ 'permanent-redirect': 'javascript:alert(1)' }, 'permanent-redirect', /http:\/\/ or https:\/\//);
  invalid({ 'permanent-redirect': 'https://x.example/$request_uri' }, 'permanent-redirect', /http/);
  invalid({ 'from-to-www-redirect': 'on' }, 'from-to-www-redirect', /true or false/);
  invalid({ 'relative-redirects': 'off' }, 'relative-redirects', /true or false/);
  invalid({ 'use-port-in-redirects': '2' }, 'use-port-in-redirects', /true or false/);
});

test('upstream-vhost and server-alias', () => {
  assert.equal(parse({ 'upstream-vhost': 'backend.internal:8080' }).ann.policy.upstreamVhost, 'backend.internal:8080');
  assert.equal(parse({ 'upstream-vhost': '$service_name.$namespace.svc' }).ann.policy.upstreamVhost, '$service_name.$namespace.svc');
  invalid({ 'upstream-vhost': '$request_uri' }, 'upstream-vhost', /\$service_name/);
  invalid({ 'upstream-vhost': 'a b' }, 'upstream-vhost', /host name/);
  assert.deepEqual(parse({ 'server-alias': 'A.example.com, *.wild.example.com,,a.example.com' }).ann.server.aliases, ['a.example.com', '*.wild.example.com']);
  invalid({ 'server-alias': '~^www\\d+\\.example\\.com$' }, 'server-alias', /regex names/);
  invalid({ 'server-alias': 'ok.example.com, bad_name' }, 'server-alias', /not a valid DNS name/);
});

test('custom-http-errors / disable-proxy-intercept-errors / default-backend', () => {
  let e = parse({ 'custom-http-errors': '503, 404,404' }).ann.policy.errors;
  assert.deepEqual(e, { codes: [404, 503], backend: null });
  e = parse({ 'custom-http-errors': '404', 'default-backend': 'errors' }).ann.policy.errors;
  assert.deepEqual(e, { codes: [404], backend: 'ns/errors:8080' });
  assert.deepEqual(parse({ 'custom-http-errors': '404', 'disable-proxy-intercept-errors': 'true' }).ann.policy.errors.codes, []);
  // The ConfigMap's list is the default; the annotation replaces it; disable turns both off.
  const cfg = parseGlobalConfig(obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' }, data: { 'custom-http-errors': '502,404' } }) as never).config;
  assert.deepEqual(parse({ 'proxy-read-timeout': '5' }, cfg).ann.policy.errors.codes, [404, 502]);
  assert.deepEqual(parse({ 'custom-http-errors': '500' }, cfg).ann.policy.errors.codes, [500]);
  assert.deepEqual(parse({ 'disable-proxy-intercept-errors': 'true' }, cfg).ann.policy.errors.codes, []);
  invalid({ 'custom-http-errors': '404,abc' }, 'custom-http-errors', /400 to 599/);
  invalid({ 'custom-http-errors': '301' }, 'custom-http-errors', /400 to 599/);
  invalid({ 'disable-proxy-intercept-errors': 'nope' }, 'disable-proxy-intercept-errors', /true or false/);
  invalid({ 'default-backend': 'ns/errors' }, 'default-backend', /DNS-1035/);
  // A missing Service (or one without ports) is a warning, not an invalid value.
  for (const name of ['missing', 'portless']) {
    const { ann, diags } = parse({ 'default-backend': name });
    assert.equal(ann.policy.denied, null);
    assert.equal(ann.policy.errors.backend, null);
    assert.equal(diags.list.length, 1);
    assert.equal(diags.list[0]!.severity, 'warning');
  }
});

test('ConfigMap custom-http-errors: 300-599, invalid keeps the default', () => {
  const bad = parseGlobalConfig(obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' }, data: { 'custom-http-errors': '200' } }) as never);
  assert.deepEqual(bad.config['custom-http-errors'], []);
  assert.equal(bad.problems.length, 1);
});
