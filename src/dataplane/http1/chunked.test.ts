// Conformance and smuggling corpus for ChunkedScanner (RFC 9112 7.1). Every case is fed
// all at once, byte by byte, and split in two at every position (both as offsets into one buffer
// and as separate buffers); the outcome (done at the same offset / needs more / error), the decoded
// data and the body length must be identical for every split.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkedScanner } from './chunked.ts';

type Case = {
  name: string;
  /** Bytes as a latin1 string. */
  body: string;
  /** done: body ends at `end` (default: body.length); more: needs more bytes; error. */
  result: 'done' | 'more' | 'error';
  end?: number;
  /** Decoded data (default: not checked). */
  data?: string;
  bodyBytes?: number;
  todo?: string;
};

type Outcome = { result: 'done' | 'more' | 'error'; end: number; data: string; bodyBytes: number };

/** Feeds `pieces` (absolute [start, end) ranges into one buffer). */
function runRanges(buf: Buffer, ranges: Array<[number, number]>): Outcome {
  const sc = new ChunkedScanner();
  let data = '';
  sc.onData = (b, s, e) => {
    data += b.toString('latin1', s, e);
  };
  for (const [a, b] of ranges) {
    const ret = sc.feed(buf, a, b);
    if (ret === -1) {
      assert.notEqual(sc.error, '', 'an error carries a reason');
      return { result: 'error', end: -1, data: '', bodyBytes: -1 };
    }
    if (sc.done) return { result: 'done', end: ret, data: data, bodyBytes: sc.bodyBytes };
    assert.equal(ret, b, 'a feed that did not finish consumes everything');
  }
  return { result: 'more', end: -1, data: data, bodyBytes: sc.bodyBytes };
}

/** Feeds separate buffers (copies), so no offset can leak across calls. */
function runCopies(buf: Buffer, ranges: Array<[number, number]>): Outcome {
  const sc = new ChunkedScanner();
  let data = '';
  sc.onData = (b, s, e) => {
    data += b.toString('latin1', s, e);
  };
  for (const [a, b] of ranges) {
    const piece = Buffer.from(buf.subarray(a, b));
    const ret = sc.feed(piece, 0, piece.length);
    if (ret === -1) return { result: 'error', end: -1, data: '', bodyBytes: -1 };
    if (sc.done) return { result: 'done', end: a + ret, data: data, bodyBytes: sc.bodyBytes };
  }
  return { result: 'more', end: -1, data: data, bodyBytes: sc.bodyBytes };
}

function splits(n: number): Array<{ label: string; ranges: Array<[number, number]> }> {
  const out: Array<{ label: string; ranges: Array<[number, number]> }> = [{ label: 'all at once', ranges: [[0, n]] }];
  out.push({ label: 'byte by byte', ranges: Array.from({ length: n }, (_, i): [number, number] => [i, i + 1]) });
  // Every split point; for long bodies, the first and last 128 and a sample in between.
  const step = n <= 512 ? 1 : Math.ceil(n / 128);
  for (let k = 1; k < n; k++) {
    if (n > 512 && k > 128 && k < n - 128 && k % step !== 0) continue;
    out.push({ label: `split at ${k}`, ranges: [[0, k], [k, n]] });
  }
  return out;
}

const big = 'x'.repeat(300);
const pipelined = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';

const CASES: Case[] = [
  // ───────────────────────────────────────────── valid ─────────────────────────────────────────────
  { name: 'one chunk', body: '5\r\nhello\r\n0\r\n\r\n', result: 'done', data: 'hello', bodyBytes: 5 },
  { name: 'two chunks', body: '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n', result: 'done', data: 'hello world', bodyBytes: 11 },
  { name: 'lower-case hex size (llhttp)', body: 'a\r\n0123456789\r\n0\r\n\r\n', result: 'done', data: '0123456789' },
  { name: 'upper-case hex size (llhttp)', body: 'A\r\n0123456789\r\n0\r\n\r\n', result: 'done', data: '0123456789' },
  { name: 'two-digit size (llhttp 1e)', body: '1e\r\nall your base are belong to us\r\n0\r\n\r\n', result: 'done', data: 'all your base are belong to us' },
  { name: 'multi-digit mixed-case size', body: `12C\r\n${big}\r\n0\r\n\r\n`, result: 'done', data: big, bodyBytes: 300 },
  { name: 'last chunk written 000 (llhttp)', body: '5\r\nhello\r\n6\r\n world\r\n000\r\n\r\n', result: 'done', data: 'hello world' },
  { name: 'leading zeros on a size', body: '0005\r\nhello\r\n0\r\n\r\n', result: 'done', data: 'hello' },
  { name: 'size with 16 digits, leading zeros', body: '0000000000000005\r\nhello\r\n0\r\n\r\n', result: 'done', data: 'hello' },
  { name: 'empty body', body: '0\r\n\r\n', result: 'done', data: '', bodyBytes: 0 },
  { name: 'data containing CRLFs', body: '4\r\n\r\n\r\n\r\n0\r\n\r\n', result: 'done', data: '\r\n\r\n' },
  { name: 'data that looks like a last chunk', body: '5\r\n0\r\n\r\n\r\n0\r\n\r\n', result: 'done', data: '0\r\n\r\n' },
  { name: 'binary data', body: '4\r\n\x00\xff\x80\x7f\r\n0\r\n\r\n', result: 'done', data: '\x00\xff\x80\x7f' },
  { name: 'bytes after the body are not consumed', body: '5\r\nhello\r\n0\r\n\r\n' + pipelined, result: 'done', end: 15, data: 'hello' },
  { name: 'chunk extension name only', body: '5;foo\r\nhello\r\n0\r\n\r\n', result: 'done', data: 'hello' },
  { name: 'chunk extension name=token', body: '5;foo=bar\r\nhello\r\n0\r\n\r\n', result: 'done', data: 'hello' },
  { name: 'several chunk extensions (llhttp)', body: '5;ilovew3;somuchlove=aretheseparametersfor;another=withvalue\r\nhello\r\n6;blahblah;blah\r\n world\r\n0\r\n\r\n', result: 'done', data: 'hello world' },
  { name: 'quoted extension values with escapes (llhttp)', body: '5;ilovew3="I \\"love\\"; \\\\extensions\\\\";somuchlove="aretheseparametersfor";blah;foo=bar\r\nhello\r\n6;blahblah;blah\r\n world\r\n0\r\n\r\n', result: 'done', data: 'hello world' },
  { name: 'quoted extension value that is empty', body: '5;a=""\r\nhello\r\n0\r\n\r\n', result: 'done', data: 'hello' },
  { name: 'quoted extension value with tab and obs-text', body: '5;a="x\ty\xe9"\r\nhello\r\n0\r\n\r\n', result: 'done', data: 'hello' },
  { name: 'extension on the last chunk', body: '5\r\nhello\r\n0;done=1\r\n\r\n', result: 'done', data: 'hello' },
  { name: 'BWS before ";" (RFC 9112 7.1.1)', body: '5 ;a=b\r\nhello\r\n0\r\n\r\n', result: 'done', data: 'hello' },
  { name: 'BWS after ";" and around "="', body: '5; a = b\r\nhello\r\n0\r\n\r\n', result: 'done', data: 'hello' },
  { name: 'tabs as BWS', body: '5\t;\ta\t=\t"b"\r\nhello\r\n0\r\n\r\n', result: 'done', data: 'hello' },
  { name: 'BWS between extensions', body: '5;a=b ; c ;d="e" ;f\r\nhello\r\n0\r\n\r\n', result: 'done', data: 'hello' },
  { name: 'quoted extension containing ; and = and an escaped backslash', body: '5;a="x;y=z\\\\"\r\nhello\r\n0\r\n\r\n', result: 'done', data: 'hello' },
  { name: 'extensions adding up to 15 KiB are fine', body: ('1;' + 'e'.repeat(1020) + '\r\nx\r\n').repeat(15) + '0\r\n\r\n', result: 'done', data: 'x'.repeat(15) },
  { name: 'trailer fields (llhttp)', body: '5\r\nhello\r\n6\r\n world\r\n0\r\nVary: *\r\nContent-Type: text/plain\r\n\r\n', result: 'done', data: 'hello world' },
  { name: 'trailer with an empty value', body: '0\r\nX-Empty:\r\n\r\n', result: 'done' },
  { name: 'trailer with tab and obs-text in the value', body: '0\r\nX-A: a\tb \xe9\r\n\r\n', result: 'done' },
  { name: 'trailer then pipelined bytes', body: '1\r\na\r\n0\r\nX: y\r\n\r\n' + pipelined, result: 'done', end: 17, data: 'a' },
  { name: 'size of 13 hex digits is accepted (body incomplete)', body: 'FFFFFFFFFFFFF\r\nabc', result: 'more', data: 'abc', bodyBytes: 0xfffffffffffff },
  { name: 'incomplete: inside data', body: '5\r\nhel', result: 'more', data: 'hel', bodyBytes: 5 },
  { name: 'incomplete: after the last chunk', body: '5\r\nhello\r\n0\r\n', result: 'more', data: 'hello' },
  { name: 'incomplete: inside a trailer', body: '0\r\nX-A: 1', result: 'more' },

  // ─────────────────────────────────────────── chunk size ───────────────────────────────────────────
  { name: '0x prefix', body: '0x5\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: '0X prefix', body: '0X5\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'plus sign', body: '+5\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'minus sign', body: '-5\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'space before the size', body: ' 5\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'tab before the size', body: '\t5\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'empty size line', body: '\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'non-hex size', body: 'g\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'size with underscore', body: '1_0\r\n', result: 'error' },
  { name: 'space after the size, no extension (llhttp)', body: 'a \r\n0123456789\r\n0\r\n\r\n', result: 'error' },
  { name: 'tab after the size, no extension', body: '5\t\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'spaces after the size (llhttp response)', body: '25  \r\nThis is the data in the first chunk\r\n\r\n1C\r\nand this is the second one\r\n\r\n0  \r\n\r\n', result: 'error' },
  { name: 'spaces after the last-chunk size', body: '0  \r\n\r\n', result: 'error' },
  { name: 'no semicolon before extension (llhttp)', body: '2 erfrferferf\r\naa\r\n0 rrrr\r\n\r\n', result: 'error' },
  { name: 'size split by a space', body: '1 0\r\n', result: 'error' },
  { name: 'missing last chunk (llhttp)', body: '3\r\nfoo\r\n\r\n', result: 'error' },
  { name: '16 digits: 3 zeros and 13 significant', body: '000FFFFFFFFFFFFF\r\n', result: 'more', bodyBytes: 2 ** 52 - 1 },
  { name: '17 zeros as the last chunk', body: '00000000000000000\r\n\r\n', result: 'error' },
  { name: '14 significant hex digits (2^52) is too large', body: '10000000000000\r\n', result: 'error' },
  { name: '24 hex digits overflow', body: 'FFFFFFFFFFFFFFFFFFFFFFFF\r\n', result: 'error' },
  { name: '17 digits with leading zeros', body: '00000000000000001\r\nx\r\n0\r\n\r\n', result: 'error' },
  { name: '20 zeros as the last chunk', body: '00000000000000000000\r\n\r\n', result: 'error' },

  // ─────────────────────────────────────── line terminators ───────────────────────────────────────
  { name: 'size line ended by bare LF', body: '5\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'size line ended by bare CR', body: '5\rhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'size line ended by CR CR (llhttp)', body: '5\r\r;ABCD\r\n34\r\nE\r\n0\r\n\r\nGET / HTTP/1.1 \r\nHost: a\r\nContent-Length: 5\r\n\r\n0\r\n\r\n', result: 'error' },
  { name: 'extension ended by bare LF (funky chunks TERM.EXT)', body: '5;\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'extension with bare LF inside', body: '5;a\nb\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'extension with bare CR inside', body: '5;a\rb\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'quoted extension with bare CR inside', body: '5;a="x\ry"\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'quoted extension with bare LF inside', body: '5;a="x\ny"\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'data not followed by CRLF (llhttp)', body: '5\r\nABCDE0\r\n\r\n', result: 'error' },
  { name: 'data followed by bare LF', body: '5\r\nhello\n0\r\n\r\n', result: 'error' },
  { name: 'data followed by bare CR', body: '5\r\nhello\r0\r\n\r\n', result: 'error' },
  { name: 'data longer than the size (spill)', body: '3\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'data shorter than the size', body: '6\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'final CRLF replaced by bare LF', body: '5\r\nhello\r\n0\r\n\n', result: 'error' },
  { name: 'final CRLF replaced by bare CR', body: '5\r\nhello\r\n0\r\n\rX', result: 'error' },
  { name: 'last-chunk line ended by bare LF', body: '5\r\nhello\r\n0\n\r\n', result: 'error' },
  { name: 'trailer ended by bare LF', body: '0\r\nX: y\n\r\n', result: 'error' },
  { name: 'trailer with bare CR', body: '0\r\nX: a\rb\r\n\r\n', result: 'error' },

  // ─────────────────────────────────────── chunk extensions ───────────────────────────────────────
  { name: 'no extension after semicolon (llhttp)', body: '2;\r\naa\r\n0\r\n\r\n', result: 'error' },
  { name: 'unbalanced quote (llhttp)', body: '5;ilovew3="abc";somuchlove="def; ghi\r\nhello\r\n6;blahblah;blah\r\n world\r\n0\r\n\r\n', result: 'error' },
  { name: 'extension name with @', body: '5;a@b\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'extension name with "/"', body: '5;a/b=c\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'extension value with a space inside', body: '5;a=b c\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'extension with "=" but no name', body: '5;=b\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'extension with a name and "=" but no value', body: '5;a=\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'two semicolons', body: '5;;a\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'text after a quoted value', body: '5;a="b"c\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'trailing space after an extension', body: '5;a=b \r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'whitespace after an extension name before CR', body: '5;a \r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'whitespace after a quoted value before CR', body: '5;a="b"\t\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'escaped backslash then text after the closing quote', body: '5;a="b\\\\"c"\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'escaped quote keeps the string open to CR', body: '5;a="b\\"\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'NUL in an extension', body: '5;a=\x00\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'DEL in an extension', body: '5;a\x7f\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'NUL in a quoted extension', body: '5;a="\x00"\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'quoted-pair escaping CR', body: '5;a="\\\r"\r\nhello\r\n0\r\n\r\n', result: 'error' },
  { name: 'extension of 17 KiB on one line', body: '1;a=' + 'b'.repeat(17 * 1024) + '\r\nx\r\n0\r\n\r\n', result: 'error' },
  { name: 'extensions adding up to 17 KiB', body: ('1;' + 'e'.repeat(1020) + '\r\nx\r\n').repeat(17) + '0\r\n\r\n', result: 'error' },

  // ──────────────────────────────────────────── trailers ────────────────────────────────────────────
  { name: 'trailer line without colon', body: '0\r\nfoo\r\n\r\n', result: 'error' },
  { name: 'trailer with space before colon', body: '0\r\nX : y\r\n\r\n', result: 'error' },
  { name: 'trailer with an empty name', body: '0\r\n: y\r\n\r\n', result: 'error' },
  { name: 'trailer name with obs-text', body: '0\r\nX\xe9: y\r\n\r\n', result: 'error' },
  { name: 'trailer obs-fold', body: '0\r\nX: y\r\n z\r\n\r\n', result: 'error' },
  { name: 'trailer with NUL', body: '0\r\nX: \x00\r\n\r\n', result: 'error' },
  { name: 'trailer with DEL', body: '0\r\nX: \x7f\r\n\r\n', result: 'error' },
  { name: 'Content-Length in trailers', body: '0\r\nContent-Length: 5\r\n\r\n', result: 'error' },
  { name: 'Transfer-Encoding in trailers', body: '0\r\ntransfer-encoding: chunked\r\n\r\n', result: 'error' },
  { name: 'Host in trailers', body: '0\r\nHOST: evil.example\r\n\r\n', result: 'error' },
  { name: 'trailer name that merely starts like Content-Length', body: '0\r\nContent-Length-X: 5\r\n\r\n', result: 'done' },
  { name: 'trailer named Hos is fine', body: '0\r\nHos: x\r\n\r\n', result: 'done' },
  { name: 'trailer named Hosts is fine', body: '0\r\nHosts: x\r\n\r\n', result: 'done' },
  { name: 'Content-Length in a later trailer', body: '0\r\nX-A: 1\r\nCONTENT-length: 0\r\n\r\n', result: 'error' },
  { name: 'trailers larger than 16 KiB', body: '0\r\n' + ('X-Pad: ' + 'p'.repeat(1000) + '\r\n').repeat(17) + '\r\n', result: 'error' },
];

test('chunked corpus size', () => {
  assert.ok(CASES.length >= 80, `only ${CASES.length} cases`);
});

for (const c of CASES) {
  test(`chunked: ${c.name}`, c.todo !== undefined ? { todo: c.todo } : {}, () => {
    const buf = Buffer.from(c.body, 'latin1');
    const whole = runRanges(buf, [[0, buf.length]]);
    assert.equal(whole.result, c.result, 'result');
    if (c.result === 'done') assert.equal(whole.end, c.end ?? buf.length, 'end');
    if (c.data !== undefined) assert.equal(whole.data, c.data, 'decoded data');
    if (c.bodyBytes !== undefined) assert.equal(whole.bodyBytes, c.bodyBytes, 'bodyBytes');
    for (const { label, ranges } of splits(buf.length)) {
      assert.deepEqual(runRanges(buf, ranges), whole, `offsets, ${label}`);
      assert.deepEqual(runCopies(buf, ranges), whole, `copies, ${label}`);
    }
  });
}

test('chunked: feeding after the end consumes nothing', () => {
  const sc = new ChunkedScanner();
  const buf = Buffer.from('0\r\n\r\nGET', 'latin1');
  assert.equal(sc.feed(buf, 0, buf.length), 5);
  assert.ok(sc.done);
  assert.equal(sc.feed(buf, 5, buf.length), 5);
});

test('chunked: feeding after an error keeps failing', () => {
  const sc = new ChunkedScanner();
  assert.equal(sc.feed(Buffer.from('5\r\nhello'), 0, 8), 8);
  assert.equal(sc.feed(Buffer.from('X'), 0, 1), -1);
  assert.notEqual(sc.error, '');
  // A caller that feeds again (it should not) must not see a valid continuation.
  assert.equal(sc.feed(Buffer.from('\r\n0\r\n\r\n'), 0, 7), -1);
  assert.ok(!sc.done);
});

test('chunked: reset makes a scanner reusable', () => {
  const sc = new ChunkedScanner();
  assert.equal(sc.feed(Buffer.from('zz'), 0, 2), -1);
  sc.reset();
  const buf = Buffer.from('3\r\nabc\r\n0\r\n\r\n');
  assert.equal(sc.feed(buf, 0, buf.length), buf.length);
  assert.equal(sc.bodyBytes, 3);
  assert.equal(sc.error, '');
});

test('chunked: a 2^52-1 chunk is counted without loss of precision', () => {
  const sc = new ChunkedScanner();
  const buf = Buffer.from('fffffffffffff\r\n');
  assert.equal(sc.feed(buf, 0, buf.length), buf.length);
  assert.equal(sc.bodyBytes, 2 ** 52 - 1);
  assert.equal(sc.remaining, 2 ** 52 - 1);
});
