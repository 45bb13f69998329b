import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ANNOTATION_GROUPS,
  ANNOTATIONS,
  KNOWN_ANNOTATION_KEYS,
  REMOVED_ANNOTATIONS,
  annotationInfo,
  canonicalAnnotationKey,
  catalogueAsJson,
  removedAnnotationInfo,
  statusCounts,
} from './catalogue.ts';
import { renderAnnotationsDoc } from './doc.ts';

const KEY_RE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

// The "tier 1": planned as supported.
const TIER1_SUPPORTED = [
  'use-regex', 'rewrite-target', 'app-root', 'permanent-redirect', 'permanent-redirect-code', 'temporal-redirect',
  'temporal-redirect-code', 'x-forwarded-prefix', 'upstream-vhost', 'server-alias', 'from-to-www-redirect',
  'proxy-body-size', 'proxy-connect-timeout', 'proxy-read-timeout', 'proxy-send-timeout', 'proxy-next-upstream',
  'proxy-next-upstream-tries', 'proxy-next-upstream-timeout', 'client-body-buffer-size', 'proxy-buffer-size',
  'proxy-request-buffering', 'proxy-buffering', 'whitelist-source-range', 'allowlist-source-range',
  'denylist-source-range', 'auth-secret', 'auth-secret-type', 'auth-realm', 'auth-url', 'auth-method', 'auth-signin',
  'auth-signin-redirect-param', 'auth-response-headers', 'auth-request-redirect', 'auth-cache-key',
  'auth-cache-duration', 'enable-global-auth', 'enable-cors', 'cors-allow-origin', 'cors-allow-methods',
  'cors-allow-headers', 'cors-expose-headers', 'cors-allow-credentials', 'cors-max-age', 'affinity', 'affinity-mode',
  'session-cookie-name', 'session-cookie-path', 'session-cookie-domain', 'session-cookie-expires',
  'session-cookie-max-age', 'session-cookie-samesite', 'session-cookie-conditional-samesite-none',
  'session-cookie-secure', 'session-cookie-change-on-failure', 'default-backend', 'custom-http-errors', 'ssl-redirect',
  'force-ssl-redirect',
];
// Tier 1 keys where only part of the values work (auth-type: basic, not digest; backend-protocol:
// not AUTO_HTTP/FCGI; proxy-ssl-verify: without proxy-ssl-secret).
const TIER1_PARTIAL = ['auth-type', 'backend-protocol', 'proxy-ssl-verify'];
const SNIPPETS = ['configuration-snippet', 'server-snippet', 'auth-snippet', 'stream-snippet', 'modsecurity-snippet'];

test('every key and alias is unique and well-formed', () => {
  const seen = new Set<string>();
  for (const s of ANNOTATIONS) {
    for (const name of [s.key, ...s.aliases]) {
      assert.match(name, KEY_RE, name);
      assert.ok(!seen.has(name), `duplicate ${name}`);
      seen.add(name);
    }
  }
  assert.equal(KNOWN_ANNOTATION_KEYS.size, seen.size);
  for (const r of REMOVED_ANNOTATIONS) {
    assert.match(r.key, KEY_RE);
    assert.ok(!seen.has(r.key), `removed key ${r.key} is also catalogued`);
  }
  assert.equal(new Set(REMOVED_ANNOTATIONS.map((r) => r.key)).size, REMOVED_ANNOTATIONS.length);
});

test('every entry is complete', () => {
  const groups = new Set(ANNOTATION_GROUPS.map((g) => g.id));
  for (const s of ANNOTATIONS) {
    const at = `entry ${s.key}`;
    assert.ok(groups.has(s.group), `${at}: group`);
    assert.ok(['location', 'ingress'].includes(s.scope), `${at}: scope`);
    assert.ok(['Low', 'Medium', 'High', 'Critical'].includes(s.risk), `${at}: risk`);
    assert.ok(['supported', 'partial', 'not-yet', 'never'].includes(s.status), `${at}: status`);
    assert.equal(typeof s.hostWide, 'boolean', `${at}: hostWide`);
    assert.equal(typeof s.inRiskTable, 'boolean', `${at}: inRiskTable`);
    assert.ok(s.nginxDefault === null || typeof s.nginxDefault === 'string', `${at}: nginxDefault`);
    assert.ok(s.configMapKey === null || KEY_RE.test(s.configMapKey), `${at}: configMapKey`);
    assert.ok(s.valueForm.trim().length > 0, `${at}: valueForm`);
    assert.ok(s.summary.trim().length > 0 && !s.summary.includes('\n'), `${at}: summary must be one line`);
    assert.equal(typeof s.notes, 'string', `${at}: notes`);
    if (s.status !== 'supported') assert.ok(s.notes.trim().length > 0, `${at}: a ${s.status} entry needs notes`);
    assert.ok(Array.isArray(s.aliases), `${at}: aliases`);
  }
  for (const g of ANNOTATION_GROUPS) {
    assert.ok(ANNOTATIONS.some((s) => s.group === g.id), `group ${g.id} has no entries`);
  }
});

test('the catalogue covers the ingress-nginx annotation set', () => {
  assert.ok(ANNOTATIONS.length >= 130, `only ${ANNOTATIONS.length} keys`);
  // annotations-risk.md of v1.15.1 lists 135 keys; two newer keys are catalogued from the parsers.
  assert.equal(ANNOTATIONS.filter((s) => s.inRiskTable).length, 135);
  assert.deepEqual(
    ANNOTATIONS.filter((s) => !s.inRiskTable).map((s) => s.key).sort(),
    ['proxy-busy-buffers-size', 'relative-redirects'],
  );
  const counts = statusCounts();
  assert.equal(counts.supported + counts.partial + counts['not-yet'] + counts.never, ANNOTATIONS.length);
});

test('every snippet key is never, and only snippets are Critical', () => {
  for (const k of SNIPPETS) {
    const s = annotationInfo(k);
    assert.ok(s, k);
    assert.equal(s.status, 'never', k);
    assert.equal(s.risk, 'Critical', k);
    assert.equal(s.group, 'snippets', k);
  }
  assert.deepEqual(ANNOTATIONS.filter((s) => s.risk === 'Critical').map((s) => s.key).sort(), [...SNIPPETS].sort());
  assert.deepEqual(ANNOTATIONS.filter((s) => s.group === 'snippets').map((s) => s.key).sort(), [...SNIPPETS].sort());
});

test('tier 1 keys are present and supported (or partial where planned)', () => {
  for (const k of TIER1_SUPPORTED) {
    const s = annotationInfo(k);
    assert.ok(s, `${k} missing`);
    assert.equal(s.status, 'supported', k);
  }
  for (const k of TIER1_PARTIAL) {
    const s = annotationInfo(k);
    assert.ok(s, `${k} missing`);
    assert.equal(s.status, 'partial', k);
  }
});

test('aliases resolve to their primary key', () => {
  assert.equal(canonicalAnnotationKey('whitelist-source-range'), 'allowlist-source-range');
  assert.equal(canonicalAnnotationKey('allowlist-source-range'), 'allowlist-source-range');
  assert.equal(canonicalAnnotationKey('limit-whitelist'), 'limit-allowlist');
  assert.equal(annotationInfo('whitelist-source-range'), annotationInfo('allowlist-source-range'));
  assert.equal(annotationInfo('nginx.ingress.kubernetes.io/limit-whitelist')?.key, 'limit-allowlist');
  assert.equal(annotationInfo('example.com/rewrite-target')?.key, 'rewrite-target');
  assert.equal(annotationInfo('no-such-annotation'), undefined);
  for (const s of ANNOTATIONS) for (const alias of s.aliases) assert.equal(annotationInfo(alias), s);
  assert.ok(KNOWN_ANNOTATION_KEYS.has('whitelist-source-range'));
  assert.ok(!KNOWN_ANNOTATION_KEYS.has('global-rate-limit'));
  assert.equal(removedAnnotationInfo('nginx.ingress.kubernetes.io/global-rate-limit')?.removed, 'v1.12.0 (#11851)');
  assert.equal(removedAnnotationInfo('rewrite-target'), undefined);
});

test('defaults match ingress-nginx v1.15', () => {
  const expect: Record<string, string | null> = {
    'proxy-body-size': '1m',
    'proxy-connect-timeout': '5',
    'proxy-read-timeout': '60',
    'proxy-send-timeout': '60',
    'proxy-next-upstream': 'error timeout',
    'proxy-next-upstream-tries': '3',
    'proxy-next-upstream-timeout': '0',
    'proxy-buffer-size': '4k',
    'client-body-buffer-size': '8k',
    'proxy-buffering': 'off',
    'proxy-request-buffering': 'on',
    'cors-allow-origin': '*',
    'cors-allow-methods': 'GET, PUT, POST, DELETE, PATCH, OPTIONS',
    'cors-allow-headers': 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization',
    'cors-allow-credentials': 'true',
    'cors-max-age': '1728000',
    'session-cookie-name': 'INGRESSCOOKIE',
    'affinity-mode': 'balanced',
    'permanent-redirect-code': '301',
    'temporal-redirect-code': '302',
    'auth-secret-type': 'auth-file',
    'auth-signin-redirect-param': 'rd',
    'auth-cache-duration': '200 202 401 5m',
    'ssl-redirect': 'true',
    'force-ssl-redirect': 'false',
    'limit-burst-multiplier': '5',
    'canary-weight-total': '100',
    'upstream-hash-by-subset-size': '3',
    'backend-protocol': 'HTTP',
    'rewrite-target': null,
  };
  for (const [k, v] of Object.entries(expect)) assert.equal(annotationInfo(k)?.nginxDefault, v, k);
});

test('catalogueAsJson is stable, sorted and JSON-serialisable', () => {
  const a = catalogueAsJson();
  const b = catalogueAsJson();
  assert.deepEqual(a, b);
  assert.notEqual(a, b, 'a fresh array each call');
  assert.equal(a.length, ANNOTATIONS.length);
  const keys = a.map((e) => e.key);
  assert.deepEqual(keys, [...keys].sort());
  assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
  a[0]!.aliases.push('mutated');
  assert.ok(!catalogueAsJson()[0]!.aliases.includes('mutated'), 'callers cannot mutate the catalogue');
});

test('docs/annotations.md is what the generator produces', () => {
  const file = join(import.meta.dirname, '..', '..', '..', 'docs', 'annotations.md');
  const committed = readFileSync(file, 'utf8');
  assert.ok(
    committed === renderAnnotationsDoc(),
    'docs/annotations.md is stale: run `node scripts/gen-annotations-doc.ts` (and do not edit the file by hand)',
  );
});

test('the generated doc mentions every key and alias', () => {
  const doc = renderAnnotationsDoc();
  for (const name of KNOWN_ANNOTATION_KEYS) assert.ok(doc.includes(`\`${name}\``), name);
  for (const r of REMOVED_ANNOTATIONS) assert.ok(doc.includes(`\`${r.key}\``), r.key);
});
