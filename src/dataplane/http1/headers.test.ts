// HeaderIndex and name comparison: offsets into the head string, no per-header objects.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEADER_BLOCK, HeaderIndex, nameEquals } from './headers.ts';

test('nameEquals: ASCII letters compare case-insensitively', () => {
  assert.ok(nameEquals('Content-Length', 0, 14, 'content-length'));
  assert.ok(nameEquals('CONTENT-LENGTH', 0, 14, 'content-length'));
  assert.ok(!nameEquals('Content-Lengtx', 0, 14, 'content-length'));
  assert.ok(!nameEquals('Content-Length', 0, 13, 'content-length'));
});

test('nameEquals: non-letters compare exactly', () => {
  // "^" | 0x20 is "~" and "_" | 0x20 is DEL: case folding must only apply to letters.
  assert.ok(!nameEquals('x^y', 0, 3, 'x~y'));
  assert.ok(nameEquals('X_Y', 0, 3, 'x_y'));
  assert.ok(nameEquals('a@b', 0, 3, 'a@b'));
  assert.ok(!nameEquals('a@b', 0, 3, 'a`b'));
  assert.ok(!nameEquals('a\rb', 0, 3, 'a-b'));
});

test('HeaderIndex: find, get, value, kept across growth', () => {
  const lines = Array.from({ length: 70 }, (_, i) => `X-${i % 3 === 0 ? 'Dup' : 'H' + i}: v${i}\r\n`);
  const head = 'GET / HTTP/1.1\r\n' + lines.join('');
  const start = 16;
  const idx = new HeaderIndex();
  let pos = start;
  for (const l of lines) {
    const colon = head.indexOf(':', pos);
    const eol = head.indexOf('\r\n', colon);
    const i = idx.push(pos, colon, colon + 2, eol, eol + 2);
    if (l.startsWith('X-Dup')) idx.drop[i] = 1;
    pos = eol + 2;
  }
  assert.equal(idx.count, 70);
  assert.equal(idx.find(head, 'x-h1'), 1);
  assert.equal(idx.find(head, 'x-dup'), 0);
  assert.equal(idx.find(head, 'x-dup', 1), 3);
  assert.equal(idx.find(head, 'nope'), -1);
  assert.equal(idx.get(head, 'x-dup'), lines.filter((l) => l.startsWith('X-Dup')).map((l) => l.slice(7, -2)).join(', '));
  assert.equal(idx.get(head, 'nope'), null);
  assert.equal(idx.name(head, 1), 'X-H1');
  assert.equal(idx.value(head, 1), 'v1');
  assert.equal(idx.kept(head, start), lines.filter((l) => !l.startsWith('X-Dup')).join(''));
  idx.reset();
  assert.equal(idx.count, 0);
  assert.equal(idx.kept(head, start), '');
});

test('HEADER_BLOCK accepts valid blocks and rejects smuggling shapes', () => {
  const ok = (s: string): boolean => {
    HEADER_BLOCK.lastIndex = 0;
    return HEADER_BLOCK.test(s);
  };
  assert.ok(ok(''));
  assert.ok(ok('A: b\r\n'));
  assert.ok(ok('A:\r\nB: \t\x80\xff~\r\n'));
  for (const bad of ['A : b\r\n', ' A: b\r\n', 'A: b\r\n c\r\n', ': b\r\n', 'A: b\n', 'A: b\r', 'A: b\rc\r\n', 'A: \x00\r\n', 'A: \x7f\r\n', 'A\x00: b\r\n', 'A: b\r\nB', 'A: b\r\n\r\n', 'A: \u0100\r\n', 'A: \u2028\r\n']) {
    assert.ok(!ok(bad), JSON.stringify(bad));
  }
});
