import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CORS_DEFAULT_HEADERS, CORS_DEFAULT_MAX_AGE, CORS_DEFAULT_METHODS, parseOrigins } from './cors.ts';
import { invalidKeys, parseWith } from './test-support.ts';

test('parseOrigins: schemes, ports, one-label wildcards, null; lower-cased; * wins', () => {
  assert.deepEqual(parseOrigins('https://App.example.com, http://*.example.org:8080,null, capacitor://localhost'), {
    origins: ['https://app.example.com', 'http://*.example.org:8080', 'null', 'capacitor://localhost'],
    ignoredAfterStar: false,
  });
  assert.deepEqual(parseOrigins('https://a.example, *, foo.bar.com'), { origins: ['*'], ignoredAfterStar: true });
  assert.deepEqual(parseOrigins('*'), { origins: ['*'], ignoredAfterStar: false });
  assert.deepEqual(parseOrigins('   '), { origins: ['*'], ignoredAfterStar: false });
  assert.deepEqual(parseOrigins('https://a.example,,https://a.example'), { origins: ['https://a.example'], ignoredAfterStar: false });
  for (const bad of ['origin.cors.com:8080', 'https://', 'https://a.*.example.com', 'https://*.*.example.com', 'https://a.example/path', 'HTTPS://a.example', 'https://a.example:port', 'https://a.example\r\nX: y', 'https://a b']) {
    assert.ok('error' in parseOrigins(bad), bad);
  }
});

test('enable-cors alone: ingress-nginx defaults', () => {
  const { ann, diags } = parseWith({ 'enable-cors': 'true' });
  assert.deepEqual(ann.policy.cors, { origins: ['*'], methods: CORS_DEFAULT_METHODS, headers: CORS_DEFAULT_HEADERS, exposeHeaders: '', credentials: true, maxAge: CORS_DEFAULT_MAX_AGE });
  assert.deepEqual(invalidKeys(diags), []);
  assert.equal(CORS_DEFAULT_MAX_AGE, 1728000);
});

test('cors-* values are kept as written; without enable-cors nothing is read', () => {
  const { ann } = parseWith({
    'enable-cors': 'True',
    'cors-allow-origin': 'https://a.example',
    'cors-allow-methods': 'POST, GET',
    'cors-allow-headers': 'DNT, User-Agent,X_Y',
    'cors-expose-headers': '*, X-Total',
    'cors-allow-credentials': 'false',
    'cors-max-age': '0',
  });
  assert.deepEqual(ann.policy.cors, { origins: ['https://a.example'], methods: 'POST, GET', headers: 'DNT, User-Agent,X_Y', exposeHeaders: '*, X-Total', credentials: false, maxAge: 0 });
  const off = parseWith({ 'enable-cors': 'false', 'cors-allow-origin': 'not an origin' });
  assert.equal(off.ann.policy.cors, null);
  assert.equal(off.ann.policy.denied, null);
  assert.ok(off.diags.list.some((d) => d.reason === 'IgnoredAnnotation' && d.field.includes('cors-allow-origin')));
});

test('invalid cors values deny the Ingress, naming the key', () => {
  const cases: [Record<string, string>, string][] = [
    [{ 'enable-cors': 'yes' }, 'enable-cors'],
    [{ 'enable-cors': 'true', 'cors-allow-origin': 'example.com' }, 'cors-allow-origin'],
    [{ 'enable-cors': 'true', 'cors-allow-methods': 'GET, P0ST' }, 'cors-allow-methods'],
    [{ 'enable-cors': 'true', 'cors-allow-methods': '' }, 'cors-allow-methods'],
    [{ 'enable-cors': 'true', 'cors-allow-headers': 'X-A, *' }, 'cors-allow-headers'],
    [{ 'enable-cors': 'true', 'cors-allow-headers': 'X-A\nX-B' }, 'cors-allow-headers'],
    [{ 'enable-cors': 'true', 'cors-expose-headers': 'X-A;B' }, 'cors-expose-headers'],
    [{ 'enable-cors': 'true', 'cors-allow-credentials': 'sometimes' }, 'cors-allow-credentials'],
    [{ 'enable-cors': 'true', 'cors-max-age': '20d' }, 'cors-max-age'],
    [{ 'enable-cors': 'true', 'cors-max-age': '-1' }, 'cors-max-age'],
  ];
  for (const [anns, key] of cases) {
    const { ann, diags } = parseWith(anns);
    assert.deepEqual(invalidKeys(diags), [key], JSON.stringify(anns));
    assert.ok(ann.policy.denied?.includes(key), JSON.stringify(anns));
  }
});
