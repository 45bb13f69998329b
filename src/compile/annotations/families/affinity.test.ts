import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invalidKeys, parseWith } from './test-support.ts';

test('affinity: cookie alone: ingress-nginx defaults', () => {
  const { ann, diags } = parseWith({ affinity: 'cookie' });
  assert.deepEqual(ann.policy.affinity, {
    mode: 'balanced',
    cookieName: 'INGRESSCOOKIE',
    path: null,
    domain: null,
    expires: null,
    maxAge: null,
    sameSite: null,
    conditionalSameSiteNone: false,
    secure: false,
    partitioned: false,
    changeOnFailure: false,
  });
  assert.deepEqual(invalidKeys(diags), []);
});

test('every session-cookie-* value is read; SameSite is canonicalised', () => {
  const { ann } = parseWith({
    affinity: 'cookie',
    'affinity-mode': 'persistent',
    'session-cookie-name': 'SERVERID',
    'session-cookie-path': '/foo/bar',
    'session-cookie-domain': '.example.com',
    'session-cookie-expires': '172800',
    'session-cookie-max-age': '-1',
    'session-cookie-samesite': 'strict',
    'session-cookie-conditional-samesite-none': 'true',
    'session-cookie-secure': 'true',
    'session-cookie-partitioned': 'true',
    'session-cookie-change-on-failure': 'true',
  });
  assert.deepEqual(ann.policy.affinity, {
    mode: 'persistent',
    cookieName: 'SERVERID',
    path: '/foo/bar',
    domain: '.example.com',
    expires: 172800,
    maxAge: -1,
    sameSite: 'Strict',
    conditionalSameSiteNone: true,
    secure: true,
    partitioned: true,
    changeOnFailure: true,
  });
});

test('session-cookie-* without affinity: cookie has no effect', () => {
  const { ann, diags } = parseWith({ 'session-cookie-name': 'X' });
  assert.equal(ann.policy.affinity, null);
  assert.ok(diags.list.some((d) => d.reason === 'IgnoredAnnotation' && d.field.includes('session-cookie-name')));
});

test('use-regex without session-cookie-path is warned about (not denied)', () => {
  const { ann, diags } = parseWith({ affinity: 'cookie', 'use-regex': 'true' });
  assert.ok(ann.policy.affinity);
  assert.equal(ann.policy.denied, null);
  assert.ok(diags.list.some((d) => d.severity === 'warning' && d.message.includes('session-cookie-path should be set when use-regex is true')));
  const withPath = parseWith({ affinity: 'cookie', 'use-regex': 'true', 'session-cookie-path': '/foo' });
  assert.ok(!withPath.diags.list.some((d) => d.message.includes('session-cookie-path should be set')));
});

test('invalid affinity values deny the Ingress, naming the key', () => {
  const cases: [Record<string, string>, string][] = [
    [{ affinity: 'ip' }, 'affinity'],
    [{ affinity: 'cookie', 'affinity-mode': 'sticky' }, 'affinity-mode'],
    [{ affinity: 'cookie', 'session-cookie-name': 'a b' }, 'session-cookie-name'],
    [{ affinity: 'cookie', 'session-cookie-name': 'a;b' }, 'session-cookie-name'],
    [{ affinity: 'cookie', 'session-cookie-path': 'foo' }, 'session-cookie-path'],
    [{ affinity: 'cookie', 'session-cookie-path': '/a;b' }, 'session-cookie-path'],
    [{ affinity: 'cookie', 'session-cookie-domain': 'exa mple.com' }, 'session-cookie-domain'],
    [{ affinity: 'cookie', 'session-cookie-expires': '2d' }, 'session-cookie-expires'],
    [{ affinity: 'cookie', 'session-cookie-max-age': '01' }, 'session-cookie-max-age'],
    [{ affinity: 'cookie', 'session-cookie-samesite': 'Sometimes' }, 'session-cookie-samesite'],
    [{ affinity: 'cookie', 'session-cookie-secure': 'maybe' }, 'session-cookie-secure'],
    [{ affinity: 'cookie', 'session-cookie-change-on-failure': 'on' }, 'session-cookie-change-on-failure'],
    [{ affinity: 'cookie', 'session-cookie-conditional-samesite-none': 'x' }, 'session-cookie-conditional-samesite-none'],
    [{ affinity: 'cookie', 'session-cookie-partitioned': 'x' }, 'session-cookie-partitioned'],
  ];
  for (const [anns, key] of cases) {
    const { ann, diags } = parseWith(anns);
    assert.deepEqual(invalidKeys(diags), [key], JSON.stringify(anns));
    assert.ok(ann.policy.denied !== null, JSON.stringify(anns));
  }
});
