// Conformance corpus for parseResponseHead: upstream response heads are parsed a little more
// tolerantly than requests where RFC 9110/9112 let a recipient be, but the framing sluice derives
// (and the client will derive from the forwarded head) must never be ambiguous.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResponseHead, ResponseHead, RESP_BODY_CHUNKED, RESP_BODY_CLOSE, RESP_BODY_LENGTH, RESP_BODY_NONE } from './response-head.ts';

type Want = {
  status?: number;
  statusText?: string;
  minor?: number;
  bodyKind?: number;
  contentLength?: number;
  close?: boolean;
  /** Header lines forwarded to the client (HeaderIndex.kept). */
  kept?: string;
};

type Case = {
  name: string;
  raw: string;
  /** Request method (default GET). */
  method?: string;
  ok: boolean;
  want?: Want;
  todo?: string;
};

const CRLF = '\r\n';
function r(...lines: string[]): string {
  return lines.join(CRLF) + CRLF + CRLF;
}
/** Cuts the head like Http1Connection.responseHeadInput does. */
function frame(raw: string): string {
  const idx = raw.indexOf('\r\n\r\n');
  if (idx < 0) throw new Error('test data: no CRLFCRLF');
  return raw.slice(0, idx + 2);
}

const CASES: Case[] = [
  // ───────────────────────────────────────────── status line ─────────────────────────────────────────
  { name: '200 OK with Content-Length', raw: r('HTTP/1.1 200 OK', 'Content-Length: 5'), ok: true, want: { status: 200, statusText: '200 OK', minor: 1, bodyKind: RESP_BODY_LENGTH, contentLength: 5, close: false, kept: 'Content-Length: 5\r\n' } },
  { name: 'no reason phrase', raw: r('HTTP/1.1 200', 'Content-Length: 0'), ok: true, want: { statusText: '200', bodyKind: RESP_BODY_NONE } },
  { name: 'empty reason phrase after SP', raw: r('HTTP/1.1 204 '), ok: true, want: { status: 204, statusText: '204 ' } },
  { name: 'reason phrase with tab and obs-text', raw: r('HTTP/1.1 200 \xc7a va\tbien', 'Content-Length: 0'), ok: true, want: { statusText: '200 \xc7a va\tbien' } },
  { name: 'status 599', raw: r('HTTP/1.1 599 Custom', 'Content-Length: 0'), ok: true, want: { status: 599 } },
  { name: 'HTTP/1.0 response', raw: r('HTTP/1.0 200 OK', 'Content-Length: 2'), ok: true, want: { minor: 0, close: true, bodyKind: RESP_BODY_LENGTH } },
  { name: 'HTTP/1.2 is processed as HTTP/1.1 (RFC 9110 2.5)', raw: r('HTTP/1.2 200 OK', 'Content-Length: 2'), ok: true, want: { minor: 1, close: false } },
  { name: 'HTTP/1.x status line', raw: r('HTTP/1.x 200 OK'), ok: false },
  { name: 'HTTP/2.0 status line', raw: r('HTTP/2.0 200 OK'), ok: false },
  { name: 'lower-case http/1.1', raw: r('http/1.1 200 OK'), ok: false },
  { name: 'two-digit status', raw: r('HTTP/1.1 20 OK'), ok: false },
  { name: 'four-digit status', raw: r('HTTP/1.1 2000 OK'), ok: false },
  { name: 'status 600', raw: r('HTTP/1.1 600 Nope'), ok: false },
  { name: 'status 099', raw: r('HTTP/1.1 099 Nope'), ok: false },
  { name: 'two spaces before status', raw: r('HTTP/1.1  200 OK'), ok: false },
  { name: 'no space after status', raw: r('HTTP/1.1 200OK'), ok: false },
  { name: 'NUL in reason phrase', raw: r('HTTP/1.1 200 O\x00K'), ok: false },
  { name: 'bare LF ending the status line', raw: 'HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n', ok: false },
  { name: 'bare CR in the status line', raw: 'HTTP/1.1 200 OK\rX: y\r\n\r\n', ok: false },
  { name: 'ICY status line', raw: r('ICY 200 OK'), ok: false },

  // ─────────────────────────────────────────────── framing ──────────────────────────────────────────
  { name: 'Content-Length: 0', raw: r('HTTP/1.1 200 OK', 'Content-Length: 0'), ok: true, want: { bodyKind: RESP_BODY_NONE, contentLength: 0 } },
  { name: 'chunked', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked'), ok: true, want: { bodyKind: RESP_BODY_CHUNKED, close: false, kept: 'Transfer-Encoding: chunked\r\n' } },
  { name: 'chunked, case-insensitive', raw: r('HTTP/1.1 200 OK', 'transfer-encoding: CHUNKED'), ok: true, want: { bodyKind: RESP_BODY_CHUNKED } },
  { name: 'no framing: read until close', raw: r('HTTP/1.1 200 OK', 'Content-Type: text/plain'), ok: true, want: { bodyKind: RESP_BODY_CLOSE, close: true } },
  { name: 'gzip, chunked is chunked', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip, chunked'), ok: true, want: { bodyKind: RESP_BODY_CHUNKED } },
  { name: 'gzip then chunked on two lines', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip', 'Transfer-Encoding: chunked'), ok: true, want: { bodyKind: RESP_BODY_CHUNKED } },
  { name: 'chunked, deflate is read until close (llhttp)', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked, deflate'), ok: true, want: { bodyKind: RESP_BODY_CLOSE, close: true } },
  { name: 'chunked then identity lines read until close (llhttp)', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Transfer-Encoding: identity'), ok: true, want: { bodyKind: RESP_BODY_CLOSE, close: true } },
  { name: 'chunkedchunked is not chunked (llhttp)', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding: chunkedchunked'), ok: true, want: { bodyKind: RESP_BODY_CLOSE, close: true } },
  { name: 'gzip only: read until close', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip'), ok: true, want: { bodyKind: RESP_BODY_CLOSE, close: true } },
  { name: 'chunked followed by NBSP is not chunked', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked\xa0'), ok: true, want: { bodyKind: RESP_BODY_CLOSE, close: true } },
  { name: 'empty list elements are ignored: "chunked, "', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked, '), ok: true, want: { bodyKind: RESP_BODY_CHUNKED } },
  { name: 'empty elements around the codings: " , gzip , , chunked , "', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding: , gzip , , chunked , '), ok: true, want: { bodyKind: RESP_BODY_CHUNKED } },
  { name: 'chunked then a line of empty elements', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Transfer-Encoding: ,'), ok: true, want: { bodyKind: RESP_BODY_CHUNKED } },
  { name: 'NBSP before chunked is not chunked', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip,\xa0chunked'), ok: true, want: { bodyKind: RESP_BODY_CLOSE } },
  { name: 'empty Transfer-Encoding with Content-Length (llhttp)', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding:', 'Content-Length: 5'), ok: false },
  { name: 'Transfer-Encoding of empty elements only', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding: , ,'), ok: false },
  { name: 'empty Transfer-Encoding on a 304', raw: r('HTTP/1.1 304 Not Modified', 'Transfer-Encoding:'), ok: false },
  { name: 'TE + CL: TE wins, CL dropped, connection not reused', raw: r('HTTP/1.1 200 OK', 'Content-Length: 10', 'Transfer-Encoding: chunked'), ok: true, want: { bodyKind: RESP_BODY_CHUNKED, kept: 'Transfer-Encoding: chunked\r\n', close: true } },
  { name: 'TE + two equal CLs: every CL dropped', raw: r('HTTP/1.1 200 OK', 'Content-Length: 10', 'Transfer-Encoding: chunked', 'Content-Length: 10'), ok: true, want: { bodyKind: RESP_BODY_CHUNKED, kept: 'Transfer-Encoding: chunked\r\n', close: true } },
  { name: 'TE (not chunked) + CL: read until close, CL dropped', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip', 'Content-Length: 10'), ok: true, want: { bodyKind: RESP_BODY_CLOSE, kept: 'Transfer-Encoding: gzip\r\n', close: true } },
  { name: 'chunked in an HTTP/1.0 response: framed by TE, then closed (RFC 9112 6.1)', raw: r('HTTP/1.0 200 OK', 'Transfer-Encoding: chunked', 'Connection: keep-alive'), ok: true, want: { bodyKind: RESP_BODY_CHUNKED, close: true, kept: 'Transfer-Encoding: chunked\r\n' } },
  { name: 'duplicate equal Content-Length: the second is dropped', raw: r('HTTP/1.1 200 OK', 'Content-Length: 5', 'Content-Length: 5'), ok: true, want: { bodyKind: RESP_BODY_LENGTH, contentLength: 5, kept: 'Content-Length: 5\r\n' } },
  { name: 'conflicting Content-Length', raw: r('HTTP/1.1 200 OK', 'Content-Length: 5', 'Content-Length: 6'), ok: false },
  { name: 'Content-Length list "5, 5" (not re-written, so rejected)', raw: r('HTTP/1.1 200 OK', 'Content-Length: 5, 5'), ok: false },
  { name: 'Content-Length with a sign', raw: r('HTTP/1.1 200 OK', 'Content-Length: +5'), ok: false },
  { name: 'Content-Length empty', raw: r('HTTP/1.1 200 OK', 'Content-Length:'), ok: false },
  { name: 'Content-Length not a number', raw: r('HTTP/1.1 200 OK', 'Content-Length: abc'), ok: false },
  { name: 'Content-Length of 16 digits', raw: r('HTTP/1.1 200 OK', 'Content-Length: 1234567890123456'), ok: false },
  { name: 'Content-Length with leading zeros is tolerated', raw: r('HTTP/1.1 200 OK', 'Content-Length: 007'), ok: true, want: { contentLength: 7 } },
  { name: 'Content-Length with OWS', raw: r('HTTP/1.1 200 OK', 'Content-Length:\t 12 '), ok: true, want: { contentLength: 12 } },
  { name: '204 ignores Content-Length', raw: r('HTTP/1.1 204 No Content', 'Content-Length: 10'), ok: true, want: { bodyKind: RESP_BODY_NONE } },
  { name: '304 ignores Transfer-Encoding', raw: r('HTTP/1.1 304 Not Modified', 'Transfer-Encoding: chunked'), ok: true, want: { bodyKind: RESP_BODY_NONE } },
  { name: 'HEAD response with Content-Length has no body', method: 'HEAD', raw: r('HTTP/1.1 200 OK', 'Content-Length: 1000'), ok: true, want: { bodyKind: RESP_BODY_NONE, contentLength: 1000 } },
  { name: 'HEAD response without framing has no body', method: 'HEAD', raw: r('HTTP/1.1 200 OK'), ok: true, want: { bodyKind: RESP_BODY_NONE, close: false } },
  { name: '100 Continue has no body', raw: r('HTTP/1.1 100 Continue'), ok: true, want: { status: 100, bodyKind: RESP_BODY_NONE } },
  { name: '103 Early Hints has no body', raw: r('HTTP/1.1 103 Early Hints', 'Link: </s.css>; rel=preload'), ok: true, want: { status: 103, bodyKind: RESP_BODY_NONE } },
  { name: '101 Switching Protocols', raw: r('HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade'), ok: true, want: { status: 101, bodyKind: RESP_BODY_NONE, kept: '' } },

  // ─────────────────────────────────────────── Connection ───────────────────────────────────────────
  { name: 'Connection: close', raw: r('HTTP/1.1 200 OK', 'Connection: close', 'Content-Length: 0'), ok: true, want: { close: true, kept: 'Content-Length: 0\r\n' } },
  { name: 'Connection: Close (case)', raw: r('HTTP/1.1 200 OK', 'Connection: Close', 'Content-Length: 0'), ok: true, want: { close: true } },
  { name: 'HTTP/1.0 with keep-alive', raw: r('HTTP/1.0 200 OK', 'Connection: keep-alive', 'Content-Length: 0'), ok: true, want: { close: false } },
  { name: 'HTTP/1.0 with close, keep-alive: close wins', raw: r('HTTP/1.0 200 OK', 'Connection: close, keep-alive', 'Content-Length: 0'), ok: true, want: { close: true } },
  { name: 'HTTP/1.0 with a token merely containing keep-alive', raw: r('HTTP/1.0 200 OK', 'Connection: no-keep-alive', 'Content-Length: 0'), ok: true, want: { close: true } },
  { name: 'token merely containing close', raw: r('HTTP/1.1 200 OK', 'Connection: x-closed', 'Content-Length: 0'), ok: true, want: { close: false } },
  { name: 'header named in Connection before it is dropped', raw: r('HTTP/1.1 200 OK', 'X-Hop: 1', 'Connection: x-hop', 'Content-Length: 0'), ok: true, want: { kept: 'Content-Length: 0\r\n' } },
  { name: 'header named in Connection after it is dropped', raw: r('HTTP/1.1 200 OK', 'Connection: x-hop', 'X-Hop: 1', 'Content-Length: 0'), ok: true, want: { kept: 'Content-Length: 0\r\n' } },
  { name: 'Connection cannot strip Content-Length', raw: r('HTTP/1.1 200 OK', 'Content-Length: 5', 'Connection: content-length'), ok: true, want: { bodyKind: RESP_BODY_LENGTH, kept: 'Content-Length: 5\r\n' } },
  { name: 'Connection cannot strip Transfer-Encoding', raw: r('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Connection: Transfer-Encoding'), ok: true, want: { bodyKind: RESP_BODY_CHUNKED, kept: 'Transfer-Encoding: chunked\r\n' } },
  { name: 'hop-by-hop and Server headers dropped', raw: r('HTTP/1.1 200 OK', 'Server: secret/1.0', 'Keep-Alive: timeout=5', 'Proxy-Connection: keep-alive', 'Upgrade: h2c', 'X-Kept: 1', 'Content-Length: 0'), ok: true, want: { kept: 'X-Kept: 1\r\nContent-Length: 0\r\n' } },

  // ───────────────────────────────────────────── header syntax ───────────────────────────────────────
  { name: 'whitespace before colon', raw: r('HTTP/1.1 200 OK', 'Content-Length : 5'), ok: false },
  { name: 'obs-fold', raw: r('HTTP/1.1 200 OK', 'X-A: 1', ' 2', 'Content-Length: 0'), ok: false },
  { name: 'bare LF between headers', raw: r('HTTP/1.1 200 OK', 'X-A: 1\nContent-Length: 0'), ok: false },
  { name: 'bare CR in a value', raw: r('HTTP/1.1 200 OK', 'X-A: 1\r2', 'Content-Length: 0'), ok: false },
  { name: 'NUL in a value', raw: r('HTTP/1.1 200 OK', 'X-A: \x00', 'Content-Length: 0'), ok: false },
  { name: 'empty header name', raw: r('HTTP/1.1 200 OK', ': x', 'Content-Length: 0'), ok: false },
  { name: 'obs-text in a value is kept', raw: r('HTTP/1.1 200 OK', 'Content-Disposition: attachment; filename="\xe9t\xe9.txt"', 'Content-Length: 0'), ok: true, want: { kept: 'Content-Disposition: attachment; filename="\xe9t\xe9.txt"\r\nContent-Length: 0\r\n' } },
  { name: 'many Set-Cookie lines kept in order', raw: r('HTTP/1.1 200 OK', 'Set-Cookie: a=1', 'Set-Cookie: b=2', 'Content-Length: 0'), ok: true, want: { kept: 'Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n' } },
];

test('response corpus size', () => {
  assert.ok(CASES.length >= 60, `only ${CASES.length} cases`);
});

function snapshot(res: ResponseHead): Record<string, unknown> {
  return {
    status: res.status,
    statusText: res.statusText,
    minor: res.minor,
    bodyKind: res.bodyKind,
    contentLength: res.contentLength,
    close: res.close,
    kept: res.headers.kept(res.head, res.headersStart),
  };
}

const DIRTY = r('HTTP/1.0 200 OK', 'Content-Length: 10', 'Transfer-Encoding: chunked', 'Connection: close, x-a', 'X-A: 1');

for (const c of CASES) {
  test(`response: ${c.name}`, c.todo !== undefined ? { todo: c.todo } : {}, () => {
    const head = frame(c.raw);
    const res = new ResponseHead();
    const ok = parseResponseHead(head, res, c.method ?? 'GET');
    assert.equal(ok, c.ok, `ok (error: ${res.error || 'none'})`);
    if (!ok) {
      assert.notEqual(res.error, '');
      return;
    }
    const got = snapshot(res);
    for (const [k, v] of Object.entries(c.want ?? {})) assert.deepEqual(got[k], v, k);
    const reused = new ResponseHead();
    assert.ok(parseResponseHead(frame(DIRTY), reused, 'GET'));
    assert.ok(parseResponseHead(head, reused, c.method ?? 'GET'));
    assert.deepEqual(snapshot(reused), got, 'state leaked from the previous response');
  });
}
