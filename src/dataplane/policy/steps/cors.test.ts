import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCors } from './cors.ts';

const base = { methods: 'GET', headers: 'X-A', exposeHeaders: '', credentials: true, maxAge: 10 };

test('origin patterns: exact or one [A-Za-z0-9-]+ label, anchored, case-insensitive', () => {
  const s = compileCors({ ...base, origins: ['https://app.example.com', 'http://*.example.org:8080', 'null'] });
  const m = s.match!;
  for (const ok of ['https://app.example.com', 'HTTPS://APP.EXAMPLE.COM', 'http://a-b.example.org:8080', 'null']) assert.ok(m.test(ok), ok);
  for (const no of ['https://app.example.com.evil', 'xhttps://app.example.com', 'https://appxexample.com', 'http://a.b.example.org:8080', 'http://.example.org:8080', 'http://a.example.org', 'http://a_b.example.org:8080', 'https://app.example.com:443']) {
    assert.ok(!m.test(no), no);
  }
});

test('header blocks: * is a literal; credentials and expose only when set', () => {
  const any = compileCors({ ...base, origins: ['*'] });
  assert.equal(any.match, null);
  assert.equal(any.any, 'Access-Control-Allow-Origin: *\r\nAccess-Control-Allow-Credentials: true\r\nAccess-Control-Allow-Methods: GET\r\nAccess-Control-Allow-Headers: X-A\r\nAccess-Control-Max-Age: 10\r\n');
  const s = compileCors({ ...base, origins: ['https://a.example'], credentials: false, exposeHeaders: 'X-E' });
  assert.equal(s.tail, 'Access-Control-Allow-Methods: GET\r\nAccess-Control-Allow-Headers: X-A\r\nAccess-Control-Expose-Headers: X-E\r\nAccess-Control-Max-Age: 10\r\n');
  assert.deepEqual([...s.drop].sort(), ['access-control-allow-headers', 'access-control-allow-methods', 'access-control-allow-origin', 'access-control-expose-headers', 'access-control-max-age']);
});
