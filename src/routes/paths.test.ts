// normalizePath mirrors nginx's URI normalisation before location matching
// (ngx_http_parse_complex_uri with merge_slashes on): one round of percent-decoding, a decoded
// "/" or "." acting like a literal one, merged slashes, "." and ".." resolved, a trailing slash
// kept; a bad escape, %00, or ".." above the root makes the request invalid (null → 400).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePath, prefixKey, toByteString } from './paths.ts';

const CASES: Array<[input: string, expected: string | null]> = [
  // plain paths come back unchanged
  ['/', '/'],
  ['/a', '/a'],
  ['/a/b/c', '/a/b/c'],
  ['/a/b/', '/a/b/'],
  ['/a.b/c..d/e.', '/a.b/c..d/e.'],
  ['/caf\xc3\xa9', '/caf\xc3\xa9'],
  ['/a b', '/a b'],
  // merged slashes
  ['//', '/'],
  ['///a', '/a'],
  ['/a//b', '/a/b'],
  ['/a//', '/a/'],
  ['/a///b//', '/a/b/'],
  // dot segments
  ['/.', '/'],
  ['/./', '/'],
  ['/./a', '/a'],
  ['/a/.', '/a/'],
  ['/a/./', '/a/'],
  ['/a/./b', '/a/b'],
  ['/a/..', '/'],
  ['/a/../', '/'],
  ['/a/b/..', '/a/'],
  ['/a/b/../c', '/a/c'],
  ['/a/b/../../c', '/c'],
  ['/a/./b/./', '/a/b/'],
  ['/a//..', '/'],
  ['/a/.//b', '/a/b'],
  // names that only look like dot segments
  ['/.hidden', '/.hidden'],
  ['/..a', '/..a'],
  ['/a..', '/a..'],
  ['/...', '/...'],
  ['/a/.../b', '/a/.../b'],
  ['/..;/a', '/..;/a'],
  // above the root
  ['/..', null],
  ['/../', null],
  ['/../a', null],
  ['/a/../..', null],
  ['/a/../../b', null],
  ['//..', null],
  // percent-decoding (once)
  ['/%41', '/A'],
  ['/%7e%7E', '/~~'],
  ['/a%20b', '/a b'],
  ['/%c3%a9', '/\xc3\xa9'],
  ['/%25', '/%'],
  ['/%2541', '/%41'],
  ['/a%252e%252e/b', '/a%2e%2e/b'],
  ['/%2e', '/'],
  ['/a/%2e/b', '/a/b'],
  ['/a/%2e%2e', '/'],
  ['/a/%2E%2E/b', '/b'],
  ['/a/.%2e/b', '/b'],
  ['/a/%2e./b', '/b'],
  ['/%2e%2e', null],
  ['/%2e%2e/a', null],
  ['/a%2fb', '/a/b'],
  ['/a%2F%2Fb', '/a/b'],
  ['/a/b%2f..', '/a/'],
  ['/a/b/..%2f', '/a/'],
  ['/a%2f..%2f..%2fb', null],
  ['/%3f', '/?'],
  ['/%23', '/#'],
  ['/%0a', '/\n'],
  // invalid escapes
  ['/%', null],
  ['/a%', null],
  ['/%4', null],
  ['/%4g', null],
  ['/%g4', null],
  ['/%%41', null],
  ['/%\xe9\xe9', null],
  ['/%00', null],
  ['/a%00b', null],
];

for (const [input, expected] of CASES) {
  test(`normalizePath(${JSON.stringify(input)}) → ${JSON.stringify(expected)}`, () => {
    assert.equal(normalizePath(input), expected);
  });
}

test('normalizePath: result is a fixed point', () => {
  for (const [input, expected] of CASES) {
    if (expected === null || expected.includes('%')) continue;
    assert.equal(normalizePath(expected), expected, input);
  }
});

test('normalizePath: long path with many escapes', () => {
  const seg = '%61'.repeat(1000);
  assert.equal(normalizePath('/' + seg + '/x'), '/' + 'a'.repeat(1000) + '/x');
});

test('prefixKey strips trailing slashes, keeps "/"', () => {
  assert.equal(prefixKey('/'), '/');
  assert.equal(prefixKey('/a/'), '/a');
  assert.equal(prefixKey('/a//'), '/a');
  assert.equal(prefixKey('/a'), '/a');
});

test('toByteString: ASCII unchanged, other text as UTF-8 bytes', () => {
  assert.equal(toByteString('/abc'), '/abc');
  assert.equal(toByteString('/café'), '/caf\xc3\xa9');
  assert.equal(normalizePath(toByteString('/café')), normalizePath('/caf%C3%A9'));
});
