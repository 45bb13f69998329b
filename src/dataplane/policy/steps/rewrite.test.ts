// rewrite-target helpers: capture templates and nginx's URI escaping of the rewritten path.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeUri, parseTemplate } from './rewrite.ts';

test('templates: $1..$9 are captures, anything else literal', () => {
  assert.deepEqual(parseTemplate('/$2'), ['/', 2, '']);
  assert.deepEqual(parseTemplate('/new/$1/x$2'), ['/new/', 1, '/x', 2, '']);
  assert.deepEqual(parseTemplate('/plain'), ['/plain']);
  // "$10" is $1 followed by "0", as nginx reads it.
  assert.deepEqual(parseTemplate('/$10'), ['/', 1, '0']);
});

test('NGX_ESCAPE_URI: controls, space, "#", "%", "?" and bytes >= 0x7f; nothing else', () => {
  assert.equal(escapeUri('/a b?c#d%e'), '/a%20b%3Fc%23d%25e');
  assert.equal(escapeUri('/caf\xc3\xa9\x7f\x01'), '/caf%C3%A9%7F%01');
  assert.equal(escapeUri("/~user/a+b/c=d&e;f:@!$'()*,\"<>"), "/~user/a+b/c=d&e;f:@!$'()*,\"<>");
  const plain = '/already/plain';
  assert.equal(escapeUri(plain), plain);
});
