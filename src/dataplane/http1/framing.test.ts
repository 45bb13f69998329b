// Message boundaries on a pipelined connection, found the way Http1Connection finds them: head up
// to CRLFCRLF (leading empty lines skipped), then the body by Content-Length or by ChunkedScanner.
// Smuggling payloads must stay inside the body that carries them, or the stream must be refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkedScanner } from './chunked.ts';
import { BODY_CHUNKED, BODY_LENGTH, parseRequestHead, RequestHead } from './request-head.ts';

/** Splits a byte stream into requests: "METHOD target" per request, or "error <status>" last. */
function split(raw: string): string[] {
  const buf = Buffer.from(raw, 'latin1');
  const req = new RequestHead();
  const sc = new ChunkedScanner();
  const out: string[] = [];
  let pos = 0;
  while (pos < buf.length) {
    while (buf[pos] === 13 && buf[pos + 1] === 10) pos += 2;
    if (pos >= buf.length) break;
    const idx = buf.indexOf('\r\n\r\n', pos, 'latin1');
    if (idx < 0) {
      out.push('incomplete');
      break;
    }
    const status = parseRequestHead(buf.latin1Slice(pos, idx + 2), req);
    if (status !== 0) {
      out.push(`error ${status}`);
      break;
    }
    out.push(`${req.method} ${req.target}`);
    pos = idx + 4;
    if (req.bodyKind === BODY_LENGTH) {
      pos += req.contentLength;
    } else if (req.bodyKind === BODY_CHUNKED) {
      sc.reset();
      const end = sc.feed(buf, pos, buf.length);
      if (end < 0) {
        out.push('error 400');
        break;
      }
      if (!sc.done) {
        out.push('incomplete');
        break;
      }
      pos = end;
    }
  }
  return out;
}

const H = 'Host: example.com\r\n';

test('framing: chunked body then the next request', () => {
  assert.deepEqual(split(`POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /b HTTP/1.1\r\n${H}\r\n`), ['POST /a', 'GET /b']);
});

test('framing: a request line inside chunk data stays data', () => {
  const data = '0\r\n\r\nGET /admin HTTP/1.1\r\nHost: example.com\r\n\r\n';
  const body = `${data.length.toString(16)}\r\n${data}\r\n0\r\n\r\n`;
  assert.deepEqual(split(`POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n${body}GET /b HTTP/1.1\r\n${H}\r\n`), ['POST /a', 'GET /b']);
});

test('framing: a request inside a Content-Length body stays data', () => {
  const data = '0\r\n\r\nGET /admin HTTP/1.1\r\nHost: example.com\r\n\r\n';
  assert.deepEqual(split(`POST /a HTTP/1.1\r\n${H}Content-Length: ${data.length}\r\n\r\n${data}GET /b HTTP/1.1\r\n${H}\r\n`), ['POST /a', 'GET /b']);
});

test('framing: CL.TE is refused before any body is read', () => {
  assert.deepEqual(split(`POST /a HTTP/1.1\r\n${H}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\n${H}\r\n`), ['error 400']);
});

test('framing: TE.TE through NBSP is refused', () => {
  assert.deepEqual(split(`POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\xa0\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\n${H}\r\n`), ['error 501']);
});

test('framing: bare LF ending the size line (funky chunks) is refused', () => {
  assert.deepEqual(split(`POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n2;\nxx\r\n45\r\n0\r\n\r\nGET /admin HTTP/1.1\r\n${H}\r\n`), ['POST /a', 'error 400']);
});

test('framing: oversized chunk data (spill) is refused', () => {
  assert.deepEqual(split(`POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n2\r\nxxGET /admin HTTP/1.1\r\n\r\n0\r\n\r\n`), ['POST /a', 'error 400']);
});

test('framing: trailers then the next request', () => {
  assert.deepEqual(split(`POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-Sum: 1\r\n\r\nGET /b HTTP/1.1\r\n${H}\r\n`), ['POST /a', 'GET /b']);
});

test('framing: empty lines between pipelined requests are skipped', () => {
  assert.deepEqual(split(`GET /a HTTP/1.1\r\n${H}\r\n\r\n\r\nGET /b HTTP/1.1\r\n${H}\r\n`), ['GET /a', 'GET /b']);
});

test('framing: obs-folded Content-Length cannot hide a second request', () => {
  assert.deepEqual(split(`POST /a HTTP/1.1\r\n${H}Foo: bar\r\n Content-Length: 38\r\n\r\nGET /admin HTTP/1.1\r\n${H}\r\n`), ['error 400']);
});
