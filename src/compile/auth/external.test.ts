import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTemplate } from '../nginx-vars.ts';
import { checkAuthUrl, checkCacheKey, parseCacheDurations, parseResponseHeaders } from './external.ts';

test('auth-url: http(s), a host without empty labels, ingress-nginx characters, supported variables', () => {
  for (const ok of ['http://auth.svc:4180/oauth2/auth', 'https://$host/oauth2/auth', '$scheme://auth.test/x?rd=$escaped_request_uri', 'http://10.0.0.1/check']) {
    assert.equal(checkAuthUrl(ok, 'auth-url'), null, ok);
  }
  const bad: [string, RegExp][] = [
    ['', /expected an http or https URL/],
    ['auth.svc/check', /scheme:\/\/host/],
    ['ftp://auth.svc/x', /must use http or https/],
    ['https://invalid..auth.url', /invalid host/],
    ['http:///path', /empty host/],
    ['http://a.test/%20', /character set/],
    ['http://a.test/x#frag', /character set/],
    ['http://a.test/$foo', /unsupported nginx variable \$foo/],
    ['http://a.test/$', /invalid variable name/],
  ];
  for (const [v, re] of bad) assert.match(checkAuthUrl(v, 'auth-url') ?? '', re, v);
});

test('auth-cache-duration: proxy_cache_valid entries', () => {
  assert.deepEqual(parseCacheDurations('200 202 401 5m'), [{ statuses: [200, 202, 401], seconds: 300 }]);
  assert.deepEqual(parseCacheDurations('200 1h, 401 30s'), [
    { statuses: [200], seconds: 3600 },
    { statuses: [401], seconds: 30 },
  ]);
  assert.deepEqual(parseCacheDurations('10m'), [{ statuses: [200, 301, 302], seconds: 600 }]);
  assert.deepEqual(parseCacheDurations('any 1d'), [{ statuses: [], seconds: 86400 }]);
  assert.deepEqual(parseCacheDurations(''), [{ statuses: [200, 202, 401], seconds: 300 }]);
  assert.deepEqual(parseCacheDurations('200 500ms'), [{ statuses: [200], seconds: 0.5 }]);
  for (const bad of ['200', '200 5x', 'five 5m', '200 1h 30m', 'any 200 1m', '600 1m']) assert.equal(typeof parseCacheDurations(bad), 'string', bad);
});

test('auth-response-headers and auth-cache-key', () => {
  assert.deepEqual(parseResponseHeaders('X-User, X-Email,,X_Group '), ['X-User', 'X-Email', 'X_Group']);
  assert.equal(typeof parseResponseHeaders('X-User, X Bad'), 'string');
  assert.equal(checkCacheKey('$remote_user$http_authorization'), null);
  assert.equal(checkCacheKey('fixed-key_1'), null);
  assert.match(checkCacheKey('$cookie_a b') ?? '', /expected letters/);
  assert.match(checkCacheKey('$upstream_x') ?? '', /unsupported/);
});

test('nginx variable templates', () => {
  assert.deepEqual(parseTemplate('a$host/${request_uri}b$HTTP_X_Y'), { ok: true, variables: true, parts: ['a', { v: 'host' }, '/', { v: 'request_uri' }, 'b', { v: 'http_x_y' }] });
  assert.deepEqual(parseTemplate('plain'), { ok: true, variables: false, parts: ['plain'] });
  assert.equal(parseTemplate('${host').ok, false);
  assert.deepEqual(parseTemplate('$Host'), { ok: true, variables: true, parts: [{ v: 'host' }] }, 'nginx lower-cases variable names');
});
