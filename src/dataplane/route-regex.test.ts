// Route regexes: ingress-nginx `~* ^<path>` semantics on a linear-time engine.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRouteRegex, compileRouteRegex } from './route-regex.ts';

test('anchored at the start only, case-insensitive, captures with "" for unset groups', () => {
  const re = compileRouteRegex('/foo(/|$)(.*)');
  assert.equal(re.test('/FOO/bar'), true);
  assert.equal(re.test('/x/foo/bar'), false);
  assert.deepEqual(re.exec('/Foo/a/b'), ['/Foo/a/b', '/', 'a/b']);
  assert.deepEqual(re.exec('/foo'), ['/foo', '', '']);
  assert.equal(re.exec('/foobar'), null);
  // Only the start is anchored: a pattern matching a prefix of the path matches.
  assert.equal(compileRouteRegex('/api').test('/apixyz'), true);
  // Alternation stays inside the anchor.
  assert.equal(compileRouteRegex('/a|/b').test('/x/b'), false);
});

test('backtracking-only features are refused with the feature named', () => {
  assert.match(checkRouteRegex('/(a)\\1')!, /backreference/);
  assert.match(checkRouteRegex('/(?=a)b')!, /lookaround/);
  assert.match(checkRouteRegex('/(?<!a)b')!, /lookaround/);
  assert.match(checkRouteRegex('/(?>a)b')!, /atomic group/);
  assert.match(checkRouteRegex('/a++')!, /possessive/);
  assert.match(checkRouteRegex('/a(')!, /not a valid regular expression/);
  for (const ok of ['/foo/bar/[A-Z0-9]{3}', '/v[0-9]+/(?<id>\\d+)', '/(?P<n>x)', '/(a+)+$', '/\\.well-known/.*']) assert.equal(checkRouteRegex(ok), null, ok);
});

test('a catastrophic-backtracking pattern stays linear', () => {
  const re = compileRouteRegex('/(a+)+$');
  const input = '/' + 'a'.repeat(20_000) + 'b';
  for (let i = 0; i < 3; i++) assert.equal(re.test(input), false);
});
