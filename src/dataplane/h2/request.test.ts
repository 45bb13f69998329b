import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateRequest } from './request.ts';
import { PREFACE_FULL, PREFACE_NO, PREFACE_PARTIAL, prefaceState } from './preface.ts';
import { parseFieldLines } from './fields.ts';
import { parseRequestHead, RequestHead } from '../http1/request-head.ts';

test(':authority becomes Host, cookies are joined, connection-specific fields and :scheme are dropped', () => {
  const r = translateRequest(
    [':method', 'GET', ':scheme', 'https', ':authority', 'a.test:8443', ':path', '/x?y=1', 'cookie', 'a=1', 'accept', '*/*', 'cookie', 'b=2', 'host', 'ignored.test', 'te', 'trailers', 'connection', 'close'],
    true,
  );
  assert.equal(r.method, 'GET');
  assert.equal(r.chunked, false);
  assert.equal(r.head, 'GET /x?y=1 HTTP/1.1\r\nhost: a.test:8443\r\naccept: */*\r\ncookie: a=1; b=2\r\n\r\n');
  // The HTTP/1.1 parser accepts what the translation produces.
  const req = new RequestHead();
  assert.equal(parseRequestHead(r.head.slice(0, -2), req), 0);
  assert.equal(req.hostname, 'a.test');
  assert.equal(req.headers.get(req.head, 'cookie'), 'a=1; b=2');
});

test('a body without content-length is framed as chunked; with content-length it is not', () => {
  const a = translateRequest([':method', 'POST', ':authority', 'a', ':path', '/'], false);
  assert.equal(a.chunked, true);
  assert.match(a.head, /transfer-encoding: chunked\r\n\r\n$/);
  const b = translateRequest([':method', 'POST', ':authority', 'a', ':path', '/', 'content-length', '5'], false);
  assert.equal(b.chunked, false);
  assert.match(b.head, /content-length: 5\r\n\r\n$/);
});

test('host is used when :authority is absent; neither gives a head the parser refuses (400)', () => {
  assert.match(translateRequest([':method', 'GET', ':path', '/', 'host', 'h.test'], true).head, /^GET \/ HTTP\/1\.1\r\nhost: h\.test\r\n/);
  const none = translateRequest([':method', 'GET', ':path', '/'], true).head;
  assert.equal(parseRequestHead(none.slice(0, -2), new RequestHead()), 400);
});

test('values a request line must not carry are refused by the HTTP/1.1 parser', () => {
  const r = translateRequest([':method', 'GET', ':authority', 'a', ':path', '/a b'], true);
  assert.equal(parseRequestHead(r.head.slice(0, -2), new RequestHead()), 400);
});

test('preface detection: full, partial (wait), other', () => {
  const p = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00', 'latin1');
  assert.equal(prefaceState(p), PREFACE_FULL);
  assert.equal(prefaceState(p.subarray(0, 18)), PREFACE_PARTIAL);
  assert.equal(prefaceState(Buffer.from('PRI * HTTP/1.1\r\n')), PREFACE_NO);
  assert.equal(prefaceState(Buffer.from('GET / HTTP/1.1\r\n')), PREFACE_NO);
});

test('trailer lines become lower-case field pairs without connection-specific ones', () => {
  assert.deepEqual(parseFieldLines('Grpc-Status: 0\r\nGrpc-Message: ok \r\nConnection: x\r\n', []), ['grpc-status', '0', 'grpc-message', 'ok']);
});
