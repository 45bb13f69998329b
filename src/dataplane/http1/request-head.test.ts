// Conformance and request-smuggling corpus for parseRequestHead (RFC 9110/9112).
//
// Each case is the raw bytes of a request head as a client sends them (a latin1 string, from the
// request line through the empty line). `frame` cuts the head out of them the way connection.ts
// does: leading empty lines skipped, head = bytes up to and including the CRLF that ends the last
// header line. Expected is either a rejection status, or 0 with the parsed fields to check.
//
// Families covered: request line (spacing, version, method, target forms), header syntax (bare
// CR/LF, obs-fold, whitespace before the colon, control bytes), framing (CL.TE, TE.CL, TE.TE
// obfuscations, CL.CL, malformed Content-Length), Host (missing, duplicate, invalid, absolute-form
// disagreement, userinfo), Expect, Connection/Upgrade semantics, and valid edge cases that must
// keep working.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BODY_CHUNKED, BODY_LENGTH, BODY_NONE, parseRequestHead, RequestHead } from './request-head.ts';

type Want = {
  method?: string;
  target?: string;
  path?: string;
  rawPath?: string;
  query?: string;
  minor?: number;
  host?: string;
  hostname?: string;
  bodyKind?: number;
  contentLength?: number;
  keepAlive?: boolean;
  expectContinue?: boolean;
  upgrade?: string;
  xForwardedFor?: string;
  xRequestId?: string;
  /** Header lines forwarded upstream (HeaderIndex.kept). */
  kept?: string;
};

type Case = {
  name: string;
  raw: string;
  status: number;
  want?: Want;
  /** Known bug, not fixed yet: the case runs as a node:test todo. */
  todo?: string;
};

const CRLF = '\r\n';
/** A request from its lines: each line gets CRLF, then the empty line. */
function r(...lines: string[]): string {
  return lines.join(CRLF) + CRLF + CRLF;
}
const H = 'Host: example.com';

/** Cuts the head out of raw bytes like Http1Connection.headInput does. */
function frame(raw: string): string {
  let s = 0;
  while (raw.startsWith(CRLF, s)) s += 2;
  const idx = raw.indexOf('\r\n\r\n', s);
  if (idx < 0) throw new Error('test data: no CRLFCRLF in raw request');
  return raw.slice(s, idx + 2);
}

const manyHeaders = Array.from({ length: 100 }, (_, i) => `X-H${i}: v${i}`);

const CASES: Case[] = [
  // ───────────────────────────── valid requests that must be accepted ─────────────────────────────
  { name: 'simple GET', raw: r('GET / HTTP/1.1', H), status: 0, want: { method: 'GET', target: '/', path: '/', rawPath: '/', query: '', minor: 1, host: 'example.com', hostname: 'example.com', bodyKind: BODY_NONE, keepAlive: true, kept: '' } },
  { name: 'GET with query', raw: r('GET /p?q=1&r=2 HTTP/1.1', H), status: 0, want: { target: '/p?q=1&r=2', path: '/p', rawPath: '/p', query: '?q=1&r=2' } },
  { name: 'query containing a second ?', raw: r('GET /test.cgi?foo=bar?baz HTTP/1.1', H), status: 0, want: { path: '/test.cgi', query: '?foo=bar?baz' } },
  { name: 'query with | and quotes (llhttp)', raw: r('GET /with_"lovely"_quotes?foo=\\"bar\\"&q=| HTTP/1.1', H), status: 0, want: { rawPath: '/with_"lovely"_quotes', query: '?foo=\\"bar\\"&q=|' } },
  { name: 'HTTP/1.0 without Host', raw: r('GET / HTTP/1.0'), status: 0, want: { minor: 0, host: '', hostname: '', keepAlive: false } },
  { name: 'HTTP/1.0 with Host', raw: r('GET /x HTTP/1.0', 'Host: a.example'), status: 0, want: { minor: 0, hostname: 'a.example' } },
  { name: 'HTTP/1.0 Connection: keep-alive', raw: r('GET / HTTP/1.0', 'Connection: keep-alive'), status: 0, want: { keepAlive: true, kept: '' } },
  { name: 'HTTP/1.1 Connection: close', raw: r('GET / HTTP/1.1', H, 'Connection: close'), status: 0, want: { keepAlive: false, kept: '' } },
  { name: 'HTTP/1.1 Connection: Keep-Alive is the default', raw: r('GET / HTTP/1.1', H, 'Connection: Keep-Alive'), status: 0, want: { keepAlive: true } },
  { name: 'POST with Content-Length', raw: r('POST /submit HTTP/1.1', H, 'Content-Length: 42'), status: 0, want: { bodyKind: BODY_LENGTH, contentLength: 42, kept: 'Content-Length: 42\r\n' } },
  { name: 'Content-Length: 0 means no body', raw: r('POST / HTTP/1.1', H, 'Content-Length: 0'), status: 0, want: { bodyKind: BODY_NONE, contentLength: 0 } },
  { name: 'Content-Length with surrounding OWS', raw: r('POST / HTTP/1.1', H, 'Content-Length: \t 42 \t'), status: 0, want: { bodyKind: BODY_LENGTH, contentLength: 42 } },
  { name: 'Content-Length, 15 digits', raw: r('POST / HTTP/1.1', H, 'Content-Length: 999999999999999'), status: 0, want: { contentLength: 999999999999999 } },
  { name: 'Content-Length name in odd case (llhttp)', raw: r('GET /get_funky HTTP/1.0', 'conTENT-Length: 5'), status: 0, want: { bodyKind: BODY_LENGTH, contentLength: 5 } },
  { name: 'GET with a body', raw: r('GET / HTTP/1.1', H, 'Content-Length: 3'), status: 0, want: { bodyKind: BODY_LENGTH, contentLength: 3 } },
  { name: 'Transfer-Encoding: chunked', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunked'), status: 0, want: { bodyKind: BODY_CHUNKED, kept: 'Transfer-Encoding: chunked\r\n' } },
  { name: 'Transfer-Encoding: Chunked (case-insensitive)', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: Chunked'), status: 0, want: { bodyKind: BODY_CHUNKED } },
  { name: 'Transfer-Encoding: CHUNKED', raw: r('PUT / HTTP/1.1', H, 'TRANSFER-ENCODING: CHUNKED'), status: 0, want: { bodyKind: BODY_CHUNKED } },
  { name: 'Transfer-Encoding with OWS around chunked', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: \t chunked \t'), status: 0, want: { bodyKind: BODY_CHUNKED } },
  { name: 'Transfer-Encoding without space after colon', raw: r('POST / HTTP/1.1', H, 'transfer-encoding:chunked'), status: 0, want: { bodyKind: BODY_CHUNKED } },
  { name: 'DELETE with chunked body', raw: r('DELETE /x HTTP/1.1', H, 'Transfer-Encoding: chunked'), status: 0, want: { method: 'DELETE', bodyKind: BODY_CHUNKED } },
  { name: 'Host [::1]:8080', raw: r('GET / HTTP/1.1', 'Host: [::1]:8080'), status: 0, want: { host: '[::1]:8080', hostname: '[::1]' } },
  { name: 'Host [2001:DB8::1] lower-cased', raw: r('GET / HTTP/1.1', 'Host: [2001:DB8::1]'), status: 0, want: { hostname: '[2001:db8::1]' } },
  { name: 'Host IPv4 with port', raw: r('GET / HTTP/1.1', 'Host: 127.0.0.1:8080'), status: 0, want: { hostname: '127.0.0.1' } },
  { name: 'Host with port', raw: r('GET / HTTP/1.1', 'Host: example.com:8443'), status: 0, want: { host: 'example.com:8443', hostname: 'example.com' } },
  { name: 'Host upper-case is lower-cased for routing', raw: r('GET / HTTP/1.1', 'Host: WWW.Example.COM'), status: 0, want: { host: 'WWW.Example.COM', hostname: 'www.example.com' } },
  { name: 'Host with trailing dot', raw: r('GET / HTTP/1.1', 'Host: example.com.'), status: 0, want: { hostname: 'example.com' } },
  { name: 'Host with trailing dot and port', raw: r('GET / HTTP/1.1', 'Host: example.com.:80'), status: 0, want: { hostname: 'example.com' } },
  { name: 'Host with empty value (RFC 9112 3.2)', raw: r('GET / HTTP/1.1', 'Host:'), status: 0, want: { host: '', hostname: '' } },
  { name: 'Host header name in lower case', raw: r('GET / HTTP/1.1', 'host: example.com'), status: 0, want: { hostname: 'example.com' } },
  { name: 'Host with OWS', raw: r('GET / HTTP/1.1', 'Host: \texample.com\t '), status: 0, want: { host: 'example.com' } },
  { name: 'Host without space after colon', raw: r('GET / HTTP/1.1', 'Host:example.com'), status: 0, want: { host: 'example.com' } },
  { name: 'Host punycode', raw: r('GET / HTTP/1.1', 'Host: xn--bcher-kva.example'), status: 0, want: { hostname: 'xn--bcher-kva.example' } },
  { name: 'empty header value', raw: r('GET / HTTP/1.1', H, 'X-Empty:'), status: 0, want: { kept: 'X-Empty:\r\n' } },
  { name: 'empty header value of only whitespace', raw: r('GET / HTTP/1.1', H, 'X-Empty:  \t '), status: 0, want: { kept: 'X-Empty:  \t \r\n' } },
  { name: '100 headers', raw: r('GET / HTTP/1.1', H, ...manyHeaders), status: 0, want: { kept: manyHeaders.join(CRLF) + CRLF } },
  { name: 'tabs inside a value', raw: r('GET / HTTP/1.1', H, 'X-Tab: a\tb\tc'), status: 0, want: { kept: 'X-Tab: a\tb\tc\r\n' } },
  { name: 'obs-text bytes in a value', raw: r('GET / HTTP/1.1', H, 'X-Latin: caf\xe9 \x80\xff'), status: 0, want: { kept: 'X-Latin: caf\xe9 \x80\xff\r\n' } },
  { name: 'value containing colons', raw: r('GET / HTTP/1.1', H, 'X-Time: 12:34:56'), status: 0, want: { kept: 'X-Time: 12:34:56\r\n' } },
  { name: 'header name made of tchar symbols', raw: r('GET / HTTP/1.1', H, "!#$%&'*+-.^`|~09az: x"), status: 0, want: { kept: "!#$%&'*+-.^`|~09az: x\r\n" } },
  { name: 'long header value (8 KiB)', raw: r('GET / HTTP/1.1', H, 'X-Long: ' + 'a'.repeat(8192)), status: 0 },
  { name: 'repeated Cookie headers kept in order', raw: r('GET / HTTP/1.1', H, 'Cookie: a=1', 'Cookie: b=2'), status: 0, want: { kept: 'Cookie: a=1\r\nCookie: b=2\r\n' } },
  { name: 'Connection: keep-alive, Upgrade (websocket)', raw: r('GET /ws HTTP/1.1', H, 'Connection: keep-alive, Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13'), status: 0, want: { upgrade: 'websocket', keepAlive: true, kept: 'Sec-WebSocket-Version: 13\r\n' } },
  { name: 'Connection: Upgrade in mixed case', raw: r('GET /ws HTTP/1.1', H, 'Connection: UpGrade', 'Upgrade: WebSocket'), status: 0, want: { upgrade: 'WebSocket' } },
  { name: 'Upgrade without Connection: upgrade is ignored', raw: r('GET / HTTP/1.1', H, 'Upgrade: websocket'), status: 0, want: { upgrade: '', kept: '' } },
  { name: 'Connection tokens with empty elements (llhttp)', raw: r('GET /demo HTTP/1.1', H, 'Connection: Something, Upgrade, ,Keep-Alive', 'Upgrade: WebSocket', 'Something: 1', 'Origin: http://example.com'), status: 0, want: { upgrade: 'WebSocket', kept: 'Origin: http://example.com\r\n' } },
  { name: 'Connection: close, token, upgrade, token, keep-alive (llhttp)', raw: r('PUT /url HTTP/1.1', H, 'Connection: close, token, upgrade, token, keep-alive'), status: 0, want: { keepAlive: false } },
  { name: 'hop-by-hop headers named in Connection are dropped', raw: r('GET / HTTP/1.1', H, 'Connection: X-Hop', 'X-Hop: 1', 'X-Keep: 2'), status: 0, want: { kept: 'X-Keep: 2\r\n' } },
  { name: 'Connection naming a header listed before it', raw: r('GET / HTTP/1.1', H, 'X-Hop: 1', 'Connection: x-hop'), status: 0, want: { kept: '' } },
  { name: 'Connection cannot strip Content-Length', raw: r('POST / HTTP/1.1', H, 'Connection: Content-Length', 'Content-Length: 5'), status: 0, want: { bodyKind: BODY_LENGTH, contentLength: 5, kept: 'Content-Length: 5\r\n' } },
  { name: 'Connection cannot strip Transfer-Encoding', raw: r('POST / HTTP/1.1', H, 'Connection: transfer-encoding', 'Transfer-Encoding: chunked'), status: 0, want: { bodyKind: BODY_CHUNKED, kept: 'Transfer-Encoding: chunked\r\n' } },
  { name: 'hop-by-hop TE, Keep-Alive, Proxy-Connection dropped', raw: r('GET / HTTP/1.1', H, 'TE: trailers', 'Keep-Alive: timeout=5', 'Proxy-Connection: keep-alive', 'Accept: */*'), status: 0, want: { kept: 'Accept: */*\r\n' } },
  { name: 'Proxy header dropped (httpoxy)', raw: r('GET / HTTP/1.1', H, 'Proxy: http://evil.example'), status: 0, want: { kept: '' } },
  { name: 'X-Forwarded-For values joined', raw: r('GET / HTTP/1.1', H, 'X-Forwarded-For: 1.1.1.1', 'X-Forwarded-For: 2.2.2.2, 3.3.3.3'), status: 0, want: { xForwardedFor: '1.1.1.1, 2.2.2.2, 3.3.3.3', kept: '' } },
  { name: 'X-Request-ID captured', raw: r('GET / HTTP/1.1', H, 'X-Request-ID: abc123'), status: 0, want: { xRequestId: 'abc123', kept: '' } },
  { name: 'extension method PROPFIND', raw: r('PROPFIND /dav HTTP/1.1', H), status: 0, want: { method: 'PROPFIND' } },
  { name: 'asterisk-form with M-SEARCH (only OPTIONS may use it)', raw: r('M-SEARCH * HTTP/1.1', H), status: 400 },
  { name: 'extension method M-SEARCH', raw: r('M-SEARCH / HTTP/1.1', H), status: 0, want: { method: 'M-SEARCH' } },
  { name: 'methods are case-sensitive tokens: "get" is just another method', raw: r('get / HTTP/1.1', H), status: 0, want: { method: 'get' } },
  { name: 'OPTIONS *', raw: r('OPTIONS * HTTP/1.1', H), status: 0, want: { target: '*', path: '*', rawPath: '*', query: '' } },
  { name: 'absolute-form OPTIONS without path is forwarded as OPTIONS * (RFC 9112 3.2.4)', raw: r('OPTIONS http://example.com:80 HTTP/1.1', H), status: 0, want: { target: '*', path: '*', query: '' } },
  { name: 'absolute-form OPTIONS with a path keeps it', raw: r('OPTIONS http://example.com/x HTTP/1.1', H), status: 0, want: { target: '/x', path: '/x' } },
  { name: 'absolute-form OPTIONS with only a query', raw: r('OPTIONS http://example.com?q HTTP/1.1', H), status: 0, want: { target: '/?q', path: '/' } },
  { name: 'absolute-form matching Host is forwarded in origin-form', raw: r('GET http://example.com/a/b?c=d HTTP/1.1', H), status: 0, want: { target: '/a/b?c=d', path: '/a/b', query: '?c=d', hostname: 'example.com' } },
  { name: 'absolute-form without a path', raw: r('GET http://example.com HTTP/1.1', H), status: 0, want: { target: '/', path: '/' } },
  { name: 'absolute-form host terminated by a query (llhttp)', raw: r('GET http://example.com?hail=all HTTP/1.1', H), status: 0, want: { target: '/?hail=all', path: '/', query: '?hail=all' } },
  { name: 'absolute-form https scheme', raw: r('GET https://example.com/x HTTP/1.1', H), status: 0, want: { target: '/x' } },
  { name: 'absolute-form scheme is case-insensitive', raw: r('GET HTTP://Example.COM/x HTTP/1.1', H), status: 0, want: { target: '/x' } },
  { name: 'absolute-form with the same port as Host', raw: r('GET http://example.com:8080/ HTTP/1.1', 'Host: example.com:8080'), status: 0, want: { hostname: 'example.com' } },
  { name: 'absolute-form default port vs Host without port', raw: r('GET http://example.com:80/ HTTP/1.1', H), status: 0, want: { hostname: 'example.com' } },
  { name: 'absolute-form https default port vs Host without port', raw: r('GET https://example.com:443/ HTTP/1.1', H), status: 0 },
  { name: 'absolute-form with an empty port vs Host without port', raw: r('GET http://example.com:/ HTTP/1.1', H), status: 0 },
  { name: 'absolute-form port with leading zero', raw: r('GET http://example.com:0080/ HTTP/1.1', 'Host: example.com:80'), status: 0 },
  { name: 'absolute-form in HTTP/1.0 without Host takes the authority', raw: r('GET http://example.com:81/x HTTP/1.0'), status: 0, want: { host: 'example.com:81', hostname: 'example.com', target: '/x' } },
  { name: 'Expect: 100-continue', raw: r('POST / HTTP/1.1', H, 'Expect: 100-continue', 'Content-Length: 10'), status: 0, want: { expectContinue: true, kept: 'Content-Length: 10\r\n' } },
  { name: 'Expect: 100-Continue (case-insensitive)', raw: r('POST / HTTP/1.1', H, 'Expect: 100-Continue', 'Content-Length: 10'), status: 0, want: { expectContinue: true } },
  { name: 'path with %-escapes is decoded for matching only', raw: r('GET /a%20b/%41 HTTP/1.1', H), status: 0, want: { target: '/a%20b/%41', rawPath: '/a%20b/%41', path: '/a b/A' } },
  { name: 'dot segments resolved for matching, target forwarded as received', raw: r('GET /a/./b/../c HTTP/1.1', H), status: 0, want: { target: '/a/./b/../c', path: '/a/c' } },
  { name: 'merged slashes', raw: r('GET //a///b HTTP/1.1', H), status: 0, want: { path: '/a/b' } },
  { name: 'trailing slash kept', raw: r('GET /a/b/ HTTP/1.1', H), status: 0, want: { path: '/a/b/' } },
  { name: 'raw UTF-8 bytes in the path', raw: r('GET /caf\xc3\xa9 HTTP/1.1', H), status: 0, want: { path: '/caf\xc3\xa9' } },
  { name: 'encoded dot-dot inside the root is resolved', raw: r('GET /a/%2e%2E/b HTTP/1.1', H), status: 0, want: { path: '/b' } },
  { name: 'leading empty lines are skipped by the caller', raw: '\r\n\r\n' + r('GET / HTTP/1.1', H), status: 0, want: { method: 'GET' } },

  // ────────────────────────────────────────── request line ──────────────────────────────────────────
  { name: 'two spaces between method and target', raw: r('GET  / HTTP/1.1', H), status: 400 },
  { name: 'two spaces between target and version', raw: r('GET /  HTTP/1.1', H), status: 400 },
  { name: 'leading space before method', raw: r(' GET / HTTP/1.1', H), status: 400 },
  { name: 'trailing space after version', raw: r('GET / HTTP/1.1 ', H), status: 400 },
  { name: 'tab as separator', raw: r('GET\t/\tHTTP/1.1', H), status: 400 },
  { name: 'tab after target', raw: r('GET /\tHTTP/1.1', H), status: 400 },
  { name: 'missing version (HTTP/0.9 style)', raw: r('GET /', H), status: 400 },
  { name: 'missing target', raw: r('GET HTTP/1.1', H), status: 400 },
  { name: 'empty request line', raw: ' ' + r('', H), status: 400 },
  { name: 'lower-case http/1.1', raw: r('GET / http/1.1', H), status: 400 },
  { name: 'Http/1.1 mixed case', raw: r('GET / Http/1.1', H), status: 400 },
  { name: 'HTTP/1.2 is not supported', raw: r('GET / HTTP/1.2', H), status: 505 },
  { name: 'HTTP/1.9', raw: r('GET / HTTP/1.9', H), status: 505 },
  { name: 'HTTP/2.0 on an HTTP/1 connection', raw: r('GET / HTTP/2.0', H), status: 505 },
  { name: 'HTTP/0.9', raw: r('GET / HTTP/0.9', H), status: 505 },
  { name: 'HTTP/5.6 (llhttp)', raw: r('GET / HTTP/5.6', H), status: 505 },
  { name: 'HTTP/1.x', raw: r('GET / HTTP/1.x', H), status: 400 },
  { name: 'HTTP/1.10', raw: r('GET / HTTP/1.10', H), status: 400 },
  { name: 'HTTP/01.1', raw: r('GET / HTTP/01.1', H), status: 400 },
  { name: 'HTTP/1', raw: r('GET / HTTP/1', H), status: 400 },
  { name: 'HTTP/11', raw: r('GET / HTTP/11', H), status: 400 },
  { name: 'HTTPS/1.1', raw: r('GET / HTTPS/1.1', H), status: 400 },
  { name: 'ICE/1.0 (llhttp)', raw: r('SOURCE /music ICE/1.0', H), status: 400 },
  { name: 'RTSP/1.0 (llhttp)', raw: r('PUT /music RTSP/1.0', H), status: 400 },
  { name: 'IHTTP/1.0 (llhttp)', raw: r('GET /music IHTTP/1.0', H), status: 400 },
  { name: 'method with @', raw: r('GE@T / HTTP/1.1', H), status: 400 },
  { name: 'method with (', raw: r('G(ET / HTTP/1.1', H), status: 400 },
  { name: 'method with obs-text', raw: r('G\xc9T / HTTP/1.1', H), status: 400 },
  { name: 'method with NUL', raw: r('GE\x00T / HTTP/1.1', H), status: 400 },
  { name: 'space inside target (llhttp)', raw: r('GET /foo bar/ HTTP/1.1', H), status: 400 },
  { name: 'NUL in target', raw: r('GET /a\x00b HTTP/1.1', H), status: 400 },
  { name: 'bare CR in target', raw: r('GET /a\rb HTTP/1.1', H), status: 400 },
  { name: 'bare LF in target', raw: r('GET /a\nb HTTP/1.1', H), status: 400 },
  { name: 'DEL in target', raw: r('GET /a\x7fb HTTP/1.1', H), status: 400 },
  { name: 'control byte in target', raw: r('GET /a\x1bb HTTP/1.1', H), status: 400 },
  { name: 'request line ended by bare LF', raw: 'GET / HTTP/1.1\nHost: example.com\r\n\r\n', status: 400 },
  { name: 'request line ended by bare CR', raw: 'GET / HTTP/1.1\rHost: example.com\r\n\r\n', status: 400 },
  { name: 'request line ended by CR CR LF', raw: 'GET / HTTP/1.1\r\r\nHost: example.com\r\n\r\n', status: 400 },
  { name: 'fragment in target (llhttp)', raw: r('GET /forums/1/topics/2375?page=1#posts-17408 HTTP/1.1', H), status: 400 },
  { name: 'fragment in path', raw: r('GET /a#b HTTP/1.1', H), status: 400 },
  { name: 'fragment in absolute-form', raw: r('GET http://example.com/a#b HTTP/1.1', H), status: 400 },
  { name: 'relative target', raw: r('GET foo HTTP/1.1', H), status: 400 },
  { name: 'authority-form for a method other than CONNECT', raw: r('GET example.com:80 HTTP/1.1', H), status: 400 },
  { name: 'asterisk-form with GET', raw: r('GET * HTTP/1.1', H), status: 400 },
  { name: 'asterisk with a query', raw: r('OPTIONS *?x HTTP/1.1', H), status: 400 },
  { name: 'CONNECT authority-form', raw: r('CONNECT example.com:443 HTTP/1.1', 'Host: example.com:443'), status: 405 },
  { name: 'CONNECT with an origin-form target', raw: r('CONNECT / HTTP/1.1', H), status: 405 },
  { name: 'CONNECT with underscore host (llhttp)', raw: r('CONNECT home_0.netscape.com:443 HTTP/1.0', 'User-agent: Mozilla/1.1N'), status: 405 },
  { name: 'ftp scheme', raw: r('GET ftp://example.com/ HTTP/1.1', H), status: 400 },
  { name: 'http:/ with one slash', raw: r('GET http:/example.com/ HTTP/1.1', H), status: 400 },
  { name: 'absolute-form with empty authority', raw: r('GET http:///a HTTP/1.1', H), status: 400 },
  { name: 'absolute-form with only a port as authority', raw: r('GET http://:80/a HTTP/1.1', H), status: 400 },
  { name: 'absolute-form IPv6 authority matching Host', raw: r('GET http://[::1]:8080/a HTTP/1.1', 'Host: [::1]:8080'), status: 0, want: { target: '/a', hostname: '[::1]' } },
  { name: 'absolute-form with userinfo (llhttp basic auth)', raw: r('GET http://a%12:b!&*$@example.com:1234/toto HTTP/1.1', 'Host: example.com:1234'), status: 400 },
  { name: 'absolute-form userinfo whose user part equals Host', raw: r('GET http://user:pass@evil.example/ HTTP/1.1', 'Host: user'), status: 400 },
  { name: 'absolute-form authority disagrees with Host', raw: r('GET http://evil.example/ HTTP/1.1', H), status: 400 },
  { name: 'absolute-form port disagrees with Host', raw: r('GET http://example.com:8080/ HTTP/1.1', 'Host: example.com:9090'), status: 400 },
  { name: 'absolute-form without port vs Host with another port', raw: r('GET http://example.com/ HTTP/1.1', 'Host: example.com:8080'), status: 400 },
  { name: 'absolute-form https without port vs Host :80', raw: r('GET https://example.com/ HTTP/1.1', 'Host: example.com:80'), status: 400 },
  { name: 'absolute-form IPv6 port disagrees with Host', raw: r('GET http://[::1]:81/ HTTP/1.1', 'Host: [::1]:82'), status: 400 },
  { name: 'absolute-form invalid authority in HTTP/1.0', raw: r('GET http://ev"il/ HTTP/1.0'), status: 400 },
  { name: 'absolute-form authority with backslash', raw: r('GET http://evil.example\\@example.com/ HTTP/1.0'), status: 400 },
  { name: 'path climbing above the root', raw: r('GET /../etc/passwd HTTP/1.1', H), status: 400 },
  { name: 'path climbing above the root later', raw: r('GET /a/../../b HTTP/1.1', H), status: 400 },
  { name: 'encoded dot-dot above the root', raw: r('GET /%2e%2e/a HTTP/1.1', H), status: 400 },
  { name: 'encoded slash and dot-dot above the root', raw: r('GET /a%2f..%2f..%2fb HTTP/1.1', H), status: 400 },
  { name: 'lone % in path', raw: r('GET /a% HTTP/1.1', H), status: 400 },
  { name: 'truncated %-escape', raw: r('GET /a%2 HTTP/1.1', H), status: 400 },
  { name: 'non-hex %-escape', raw: r('GET /a%zz HTTP/1.1', H), status: 400 },
  { name: '%00 in path', raw: r('GET /a%00b HTTP/1.1', H), status: 400 },

  // ────────────────────────────────────────── header syntax ─────────────────────────────────────────
  { name: 'space before colon', raw: r('GET / HTTP/1.1', 'Host : example.com'), status: 400 },
  { name: 'tab before colon', raw: r('GET / HTTP/1.1', H, 'X-A\t: 1'), status: 400 },
  { name: 'obs-fold with SP', raw: r('GET / HTTP/1.1', H, 'X-A: 1', ' continued'), status: 400 },
  { name: 'obs-fold with HTAB', raw: r('GET / HTTP/1.1', H, 'X-A: 1', '\tcontinued'), status: 400 },
  { name: 'whitespace line right after the request line (llhttp)', raw: r('GET / HTTP/1.1', ' Host: foo'), status: 400 },
  { name: 'obs-fold hiding Content-Length (llhttp)', raw: r('POST /hello HTTP/1.1', 'Host: localhost', 'Foo: bar', ' Content-Length: 38'), status: 400 },
  { name: 'folded name line (llhttp)', raw: r('GET / HTTP/1.1', H, 'name', ' : value'), status: 400 },
  { name: 'empty header name', raw: r('GET / HTTP/1.1', H, ': value'), status: 400 },
  { name: 'header line without colon', raw: r('GET / HTTP/1.1', H, 'NoColon'), status: 400 },
  { name: 'bare CR inside a value', raw: r('GET / HTTP/1.1', H, 'X-A: a\rb'), status: 400 },
  { name: 'headers separated by bare CR (llhttp)', raw: r('GET / HTTP/1.1', H, 'Foo: 1\rBar: 2'), status: 400 },
  { name: 'headers separated by bare LF (llhttp)', raw: r('POST / HTTP/1.1', 'Host: localhost:5000', 'x:x\nTransfer-Encoding: chunked'), status: 400 },
  { name: 'empty header then bare CR (llhttp)', raw: r('POST / HTTP/1.1', 'Host: localhost:5000', 'x:\rTransfer-Encoding: chunked'), status: 400 },
  { name: 'empty header then bare LF (llhttp)', raw: r('POST / HTTP/1.1', 'Host: localhost:5000', 'x:\nTransfer-Encoding: chunked'), status: 400 },
  { name: 'missing CR between headers smuggles CL (llhttp)', raw: r('GET / HTTP/1.1', 'Host: localhost', 'Dummy: x\nContent-Length: 23'), status: 400 },
  { name: 'line of dummy characters after bare CR (llhttp)', raw: 'GET / HTTP/1.1\r\nConnection: close\r\nHost: a\r\n\rZGET /evil: HTTP/1.1\r\nHost: a\r\n\r\n', status: 400 },
  { name: 'CR CR LF line ending', raw: r('GET / HTTP/1.1', H, 'X-A: 1\r'), status: 400 },
  { name: 'NUL in a value', raw: r('GET / HTTP/1.1', H, 'X-A: a\x00b'), status: 400 },
  { name: 'NUL in a name', raw: r('GET / HTTP/1.1', H, 'X-\x00A: 1'), status: 400 },
  { name: 'SOH in a value', raw: r('GET / HTTP/1.1', H, 'X-A: \x01'), status: 400 },
  { name: 'VT in a value', raw: r('GET / HTTP/1.1', H, 'X-A: a\x0bb'), status: 400 },
  { name: 'FF in a value', raw: r('GET / HTTP/1.1', H, 'X-A: a\x0cb'), status: 400 },
  { name: 'ESC in a value', raw: r('GET / HTTP/1.1', H, 'X-A: \x1b[31m'), status: 400 },
  { name: 'DEL in a value', raw: r('GET / HTTP/1.1', H, 'X-A: a\x7fb'), status: 400 },
  { name: '@ in a name (llhttp)', raw: r('GET / HTTP/1.1', H, 'Fo@: Failure'), status: 400 },
  { name: 'control bytes in a name (llhttp)', raw: r('GET / HTTP/1.1', H, 'Foo\x01\test: Bar'), status: 400 },
  { name: 'parentheses in a name', raw: r('GET / HTTP/1.1', H, 'X(A): 1'), status: 400 },
  { name: 'slash in a name', raw: r('GET / HTTP/1.1', H, 'X/A: 1'), status: 400 },
  { name: 'quote in a name', raw: r('GET / HTTP/1.1', H, 'X"A: 1'), status: 400 },
  { name: 'obs-text in a name', raw: r('GET / HTTP/1.1', H, 'X-\xe9: 1'), status: 400 },
  { name: 'CR in place of a dash in Content-Length (llhttp)', raw: r('PUT /url HTTP/1.1', H, 'Content\rLength: 003'), status: 400 },
  { name: 'corrupted Connection header (llhttp)', raw: r('GET / HTTP/1.1', 'Host: www.example.com', 'Connection\r\x1b\x35\xd5eep-Alive', 'Accept-Encoding: gzip'), status: 400 },
  { name: 'head not ended by CRLF (parser called directly)', raw: '', status: 400 },
  { name: 'head starting with CRLF (parser called directly)', raw: '', status: 400 },

  // ───────────────────────────────────── framing: CL.TE, TE.CL, CL.CL ────────────────────────────────
  { name: 'CL.TE: Content-Length then Transfer-Encoding', raw: r('POST / HTTP/1.1', H, 'Content-Length: 4', 'Transfer-Encoding: chunked'), status: 400 },
  { name: 'TE.CL: Transfer-Encoding then Content-Length', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunked', 'Content-Length: 4'), status: 400 },
  { name: 'TE chunked with Content-Length: 0', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunked', 'Content-Length: 0'), status: 400 },
  { name: 'CL with Transfer-Encoding: identity (llhttp)', raw: r('PUT /url HTTP/1.1', H, 'Content-Length: 1', 'Transfer-Encoding: identity'), status: 400 },
  { name: 'CL with three empty Transfer-Encoding lines (llhttp)', raw: r('POST / HTTP/1.1', 'Host: foo', 'Content-Length: 10', 'Transfer-Encoding:', 'Transfer-Encoding:', 'Transfer-Encoding:'), status: 400 },
  { name: 'CL.CL: duplicate Content-Length, same value', raw: r('POST / HTTP/1.1', H, 'Content-Length: 5', 'Content-Length: 5'), status: 400 },
  { name: 'CL.CL: duplicate Content-Length, different values (llhttp)', raw: r('PUT /url HTTP/1.1', H, 'Content-Length: 1', 'Content-Length: 2'), status: 400 },
  { name: 'CL.CL: second Content-Length in lower case', raw: r('POST / HTTP/1.1', H, 'Content-Length: 5', 'content-length: 6'), status: 400 },
  { name: 'Content-Length as a list "5, 5"', raw: r('POST / HTTP/1.1', H, 'Content-Length: 5, 5'), status: 400 },
  { name: 'Content-Length as a list "5,6"', raw: r('POST / HTTP/1.1', H, 'Content-Length: 5,6'), status: 400 },
  { name: 'Content-Length with plus sign', raw: r('POST / HTTP/1.1', H, 'Content-Length: +5'), status: 400 },
  { name: 'Content-Length negative', raw: r('POST / HTTP/1.1', H, 'Content-Length: -1'), status: 400 },
  { name: 'Content-Length hex', raw: r('POST / HTTP/1.1', H, 'Content-Length: 0x10'), status: 400 },
  { name: 'Content-Length exponent', raw: r('POST / HTTP/1.1', H, 'Content-Length: 1e3'), status: 400 },
  { name: 'Content-Length decimal point', raw: r('POST / HTTP/1.1', H, 'Content-Length: 5.0'), status: 400 },
  { name: 'Content-Length with inner space "4 2" (llhttp)', raw: r('POST / HTTP/1.1', H, 'Content-Length: 4 2'), status: 400 },
  { name: 'Content-Length "13 37" (llhttp)', raw: r('POST / HTTP/1.1', H, 'Content-Length: 13 37'), status: 400 },
  { name: 'Content-Length with a tab inside', raw: r('POST / HTTP/1.1', H, 'Content-Length: 1\t2'), status: 400 },
  { name: 'Content-Length empty (llhttp)', raw: r('POST / HTTP/1.1', H, 'Content-Length:'), status: 400 },
  { name: 'Content-Length whitespace only', raw: r('POST / HTTP/1.1', H, 'Content-Length:   '), status: 400 },
  { name: 'Content-Length of 16 digits', raw: r('POST / HTTP/1.1', H, 'Content-Length: 1000000000000000'), status: 400 },
  { name: 'Content-Length overflow (llhttp)', raw: r('PUT /url HTTP/1.1', H, 'Content-Length: 1000000000000000000000'), status: 400 },
  { name: 'Content-Length with leading zeros "003" (llhttp accepts; rejected here)', raw: r('PUT /url HTTP/1.1', H, 'Content-Length: 003'), status: 400 },
  { name: 'Content-Length "00"', raw: r('PUT /url HTTP/1.1', H, 'Content-Length: 00'), status: 400 },
  { name: 'Content-Length with NBSP', raw: r('POST / HTTP/1.1', H, 'Content-Length: \xa05'), status: 400 },
  { name: 'Content-Length with trailing NBSP', raw: r('POST / HTTP/1.1', H, 'Content-Length: 5\xa0'), status: 400 },
  { name: 'Content-Length superscript two', raw: r('POST / HTTP/1.1', H, 'Content-Length: \xb2'), status: 400 },
  { name: 'Content-Length with underscore digits', raw: r('POST / HTTP/1.1', H, 'Content-Length: 1_0'), status: 400 },
  { name: 'Content-Length quoted', raw: r('POST / HTTP/1.1', H, 'Content-Length: "5"'), status: 400 },
  { name: 'space before colon in Content-Length', raw: r('POST / HTTP/1.1', H, 'Content-Length : 5'), status: 400 },

  // ──────────────────────────────── framing: TE.TE obfuscations → 501 / 400 ───────────────────────────
  { name: 'Transfer-Encoding: identity (llhttp pigeons)', raw: r('PUT /url HTTP/1.1', H, 'Transfer-Encoding: identity'), status: 501 },
  { name: 'Transfer-Encoding: pigeons (llhttp)', raw: r('PUT /url HTTP/1.1', H, 'Transfer-Encoding: pigeons'), status: 501 },
  { name: 'Transfer-Encoding: gzip, chunked', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: gzip, chunked'), status: 501 },
  { name: 'Transfer-Encoding: chunked, gzip (llhttp)', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunked, deflate'), status: 501 },
  { name: 'Transfer-Encoding: chunked, chunked', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunked, chunked'), status: 501 },
  { name: 'two Transfer-Encoding: chunked lines', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'), status: 501 },
  { name: 'Transfer-Encoding chunked then deflate lines (llhttp)', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunked', 'Transfer-Encoding: deflate'), status: 501 },
  { name: 'Transfer-Encoding deflate then chunked lines (llhttp accepts)', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: deflate', 'Transfer-Encoding: chunked'), status: 501 },
  { name: 'Transfer-Encoding chunked then empty line', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunked', 'Transfer-Encoding:'), status: 501 },
  { name: 'Transfer-Encoding: chunkedchunked (llhttp)', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunkedchunked'), status: 501 },
  { name: 'Transfer-Encoding: xchunked', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: xchunked'), status: 501 },
  { name: 'Transfer-Encoding: chunk', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunk'), status: 501 },
  { name: 'Transfer-Encoding: "chunked" quoted', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: "chunked"'), status: 501 },
  { name: 'Transfer-Encoding: chunked;ext=val', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunked;ext=val'), status: 501 },
  { name: 'Transfer-Encoding: chunked, (trailing empty element)', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunked,'), status: 501 },
  { name: 'Transfer-Encoding: , chunked', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: , chunked'), status: 501 },
  { name: 'Transfer-Encoding empty', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding:'), status: 501 },
  { name: 'Transfer-Encoding: chunked followed by NBSP', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunked\xa0'), status: 501 },
  { name: 'Transfer-Encoding: NBSP then chunked', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: \xa0chunked'), status: 501 },
  { name: 'Transfer-Encoding: chunked followed by NEL', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunked\x85'), status: 501 },
  { name: 'Transfer-Encoding: chunk\xe9d (obs-text)', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunk\xe9d'), status: 501 },
  { name: 'Transfer-Encoding with VT before chunked', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: \x0bchunked'), status: 400 },
  { name: 'Transfer-Encoding with FF after chunked', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunked\x0c'), status: 400 },
  { name: 'Transfer-Encoding with NUL', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding: chunked\x00'), status: 400 },
  { name: 'space before colon in Transfer-Encoding', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding : chunked'), status: 400 },
  { name: 'tab before colon in Transfer-Encoding', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding\t: chunked'), status: 400 },
  { name: 'leading space before Transfer-Encoding', raw: r('POST / HTTP/1.1', H, ' Transfer-Encoding: chunked'), status: 400 },
  { name: 'Transfer-Encoding folded onto the next line', raw: r('POST / HTTP/1.1', H, 'Transfer-Encoding:', ' chunked'), status: 400 },
  { name: 'obs-fold after chunked value (llhttp)', raw: r('PUT /url HTTP/1.1', H, 'Transfer-Encoding: chunked', '  abc'), status: 400 },
  { name: 'Transfer-Encoding after bare LF', raw: r('POST / HTTP/1.1', H, 'X: y\nTransfer-Encoding: chunked'), status: 400 },
  { name: 'Transfer-Encoding in HTTP/1.0', raw: r('POST / HTTP/1.0', 'Transfer-Encoding: chunked'), status: 400 },
  { name: 'Transfer-Encoding and Content-Length in HTTP/1.0', raw: r('POST / HTTP/1.0', 'Transfer-Encoding: chunked', 'Content-Length: 3'), status: 400 },
  { name: 'unknown Transfer-Encoding in HTTP/1.0', raw: r('POST / HTTP/1.0', 'Transfer-Encoding: gzip'), status: 400 },
  { name: 'Transfer_Encoding (underscore) is dropped, CL frames', raw: r('POST / HTTP/1.1', H, 'Content-Length: 5', 'Transfer_Encoding: chunked'), status: 0, want: { bodyKind: BODY_LENGTH, contentLength: 5, kept: 'Content-Length: 5\r\n' } },
  { name: 'Content_Length (underscore) is dropped', raw: r('POST / HTTP/1.1', H, 'Content_Length: 10'), status: 0, want: { bodyKind: BODY_NONE, kept: '' } },
  { name: 'X_Forwarded_For (underscore) is dropped', raw: r('GET / HTTP/1.1', H, 'X_Forwarded_For: 6.6.6.6', 'Cookie: _ga=1'), status: 0, want: { xForwardedFor: '', kept: 'Cookie: _ga=1\r\n' } },

  { name: 'Host_ (underscore) is not Host', raw: r('GET / HTTP/1.1', H, 'Host_: evil.example'), status: 0, want: { hostname: 'example.com', kept: '' } },
  { name: 'underscore names dropped around kept ones', raw: r('GET / HTTP/1.1', 'A_1: x', H, 'B: _y_', 'C_: z', 'D: w'), status: 0, want: { kept: 'B: _y_\r\nD: w\r\n' } },

  // ───────────────────────────────────────────────── Host ─────────────────────────────────────────────
  { name: 'missing Host in HTTP/1.1', raw: r('GET / HTTP/1.1', 'Accept: */*'), status: 400 },
  { name: 'missing Host with absolute-form in HTTP/1.1', raw: r('GET http://example.com/ HTTP/1.1'), status: 400 },
  { name: 'duplicate Host', raw: r('GET / HTTP/1.1', 'Host: a.example', 'Host: b.example'), status: 400 },
  { name: 'duplicate Host, same value (llhttp)', raw: r('GET / HTTP/1.1', 'host: www.python.org', 'host: www.python.org'), status: 400 },
  { name: 'duplicate Host, different case', raw: r('GET / HTTP/1.1', 'Host: a.example', 'HOST: a.example'), status: 400 },
  { name: 'Host with userinfo', raw: r('GET / HTTP/1.1', 'Host: user@example.com'), status: 400 },
  { name: 'Host with a space', raw: r('GET / HTTP/1.1', 'Host: exa mple.com'), status: 400 },
  { name: 'Host with a tab', raw: r('GET / HTTP/1.1', 'Host: exa\tmple.com'), status: 400 },
  { name: 'Host with a path', raw: r('GET / HTTP/1.1', 'Host: example.com/evil'), status: 400 },
  { name: 'Host with a backslash', raw: r('GET / HTTP/1.1', 'Host: example.com\\evil'), status: 400 },
  { name: 'Host with a quote', raw: r('GET / HTTP/1.1', 'Host: "example.com"'), status: 400 },
  { name: 'Host with < >', raw: r('GET / HTTP/1.1', 'Host: <script>'), status: 400 },
  { name: 'Host with ? ', raw: r('GET / HTTP/1.1', 'Host: example.com?x'), status: 400 },
  { name: 'Host with #', raw: r('GET / HTTP/1.1', 'Host: example.com#x'), status: 400 },
  { name: 'Host with obs-text', raw: r('GET / HTTP/1.1', 'Host: caf\xe9.example'), status: 400 },
  { name: 'Host with invalid %-escape', raw: r('GET / HTTP/1.1', 'Host: a%zz.example'), status: 400 },
  { name: 'Host with %-encoded slash', raw: r('GET / HTTP/1.1', 'Host: a%2fb.example'), status: 400 },
  { name: 'Host with an empty label (nginx)', raw: r('GET / HTTP/1.1', 'Host: a..example'), status: 400 },
  { name: 'Host of two dots', raw: r('GET / HTTP/1.1', 'Host: ..'), status: 400 },
  { name: 'absolute-form authority with an empty label', raw: r('GET http://a..example/ HTTP/1.0'), status: 400 },
  { name: 'Host IPv6 without closing bracket', raw: r('GET / HTTP/1.1', 'Host: [::1'), status: 400 },
  { name: 'Host IPv6 without brackets', raw: r('GET / HTTP/1.1', 'Host: ::1'), status: 400 },
  { name: 'Host with two ports', raw: r('GET / HTTP/1.1', 'Host: example.com:80:80'), status: 400 },
  { name: 'Host with a non-numeric port', raw: r('GET / HTTP/1.1', 'Host: example.com:http'), status: 400 },
  { name: 'Host with a 6-digit port', raw: r('GET / HTTP/1.1', 'Host: example.com:123456'), status: 400 },
  { name: 'Host with text after IPv6 literal', raw: r('GET / HTTP/1.1', 'Host: [::1]evil'), status: 400 },
  { name: 'Host with a comma list', raw: r('GET / HTTP/1.1', 'Host: a.example, b.example'), status: 400 },

  // ─────────────────────────────────────────── Expect / status precedence ───────────────────────────────
  { name: 'Expect: something-else', raw: r('POST / HTTP/1.1', H, 'Expect: something-else', 'Content-Length: 1'), status: 417 },
  { name: 'Expect: 100-continue, foo', raw: r('POST / HTTP/1.1', H, 'Expect: 100-continue, foo', 'Content-Length: 1'), status: 417 },
  { name: 'Expect: empty', raw: r('POST / HTTP/1.1', H, 'Expect:'), status: 417 },
  { name: 'Expect: 100-continue in HTTP/1.0 is ignored (RFC 9110 10.1.1)', raw: r('POST / HTTP/1.0', 'Expect: 100-continue', 'Content-Length: 3'), status: 0, want: { expectContinue: false, kept: 'Content-Length: 3\r\n' } },
  { name: 'malformed request wins over 417', raw: r('POST / HTTP/1.1', 'Expect: nope', 'Content-Length: 1'), status: 400 },
  { name: 'framing error wins over 417', raw: r('POST / HTTP/1.1', H, 'Expect: nope', 'Content-Length: 1', 'Content-Length: 2'), status: 400 },
  { name: 'missing Host wins over unknown Transfer-Encoding', raw: r('POST / HTTP/1.1', 'Transfer-Encoding: gzip'), status: 400 },

  { name: 'missing Host wins over CONNECT', raw: r('CONNECT example.com:443 HTTP/1.1'), status: 400 },
  { name: 'CONNECT wins over unknown Transfer-Encoding', raw: r('CONNECT example.com:443 HTTP/1.1', 'Host: example.com:443', 'Transfer-Encoding: gzip'), status: 405 },
  { name: 'unknown Transfer-Encoding wins over 417', raw: r('POST / HTTP/1.1', H, 'Expect: nope', 'Transfer-Encoding: gzip'), status: 501 },
  { name: 'bad path wins over 417', raw: r('POST /%zz HTTP/1.1', H, 'Expect: nope'), status: 400 },

  // ───────────────────────────────────────── Connection / Upgrade ──────────────────────────────────────
  { name: 'HTTP/1.0 Connection: close, keep-alive → close wins', raw: r('GET / HTTP/1.0', 'Connection: close, keep-alive'), status: 0, want: { keepAlive: false } },
  { name: 'HTTP/1.0 two Connection lines, close first', raw: r('GET / HTTP/1.0', 'Connection: close', 'Connection: keep-alive'), status: 0, want: { keepAlive: false } },
  { name: 'Connection: close followed by NBSP is not "close"', raw: r('GET / HTTP/1.1', H, 'Connection: close\xa0'), status: 0, want: { keepAlive: true } },
  { name: 'HTTP/1.1 Connection: keep-alive, close → close', raw: r('GET / HTTP/1.1', H, 'Connection: keep-alive, close'), status: 0, want: { keepAlive: false } },
  { name: 'Connection: CLOSE in upper case', raw: r('GET / HTTP/1.1', H, 'Connection: CLOSE'), status: 0, want: { keepAlive: false } },
  { name: 'Connection: closed is not close', raw: r('GET / HTTP/1.1', H, 'Connection: closed'), status: 0, want: { keepAlive: true } },
  { name: 'Connection tokens with tabs and empty elements', raw: r('GET / HTTP/1.0', 'Connection: ,\t, keep-alive\t,'), status: 0, want: { keepAlive: true } },
  { name: 'Upgrade in HTTP/1.0 is ignored (RFC 9110 7.8)', raw: r('GET / HTTP/1.0', 'Connection: upgrade', 'Upgrade: websocket'), status: 0, want: { upgrade: '', kept: '' } },
  { name: 'Upgrade: h2c is not passed on (h2c smuggling)', raw: r('GET / HTTP/1.1', H, 'Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA'), status: 0, want: { upgrade: '', kept: '' } },
  { name: 'Upgrade: websocket, h2c is not passed on', raw: r('GET / HTTP/1.1', H, 'Connection: Upgrade', 'Upgrade: websocket, H2C'), status: 0, want: { upgrade: '' } },
  { name: 'Upgrade: h2c-like protocol names are not h2c', raw: r('GET / HTTP/1.1', H, 'Connection: upgrade', 'Upgrade: h2cx, websocket'), status: 0, want: { upgrade: 'h2cx, websocket' } },
  { name: 'Connection token with ^ does not drop a header with ~', raw: r('GET / HTTP/1.1', H, 'Connection: x~y', 'X^Y: 1'), status: 0, want: { kept: 'X^Y: 1\r\n' } },
];

// Cases whose raw bytes cannot go through `frame` (the parser is called directly).
const DIRECT: Record<string, string> = {
  'head not ended by CRLF (parser called directly)': 'GET / HTTP/1.1\r\nHost: example.com',
  'head starting with CRLF (parser called directly)': '\r\nGET / HTTP/1.1\r\nHost: example.com\r\n',
};

function headFor(c: Case): string {
  return DIRECT[c.name] ?? frame(c.raw);
}

function snapshot(req: RequestHead): Record<string, unknown> {
  return {
    method: req.method,
    target: req.target,
    path: req.path,
    rawPath: req.rawPath,
    query: req.query,
    minor: req.minor,
    host: req.host,
    hostname: req.hostname,
    bodyKind: req.bodyKind,
    contentLength: req.contentLength,
    keepAlive: req.keepAlive,
    expectContinue: req.expectContinue,
    upgrade: req.upgrade,
    xForwardedFor: req.xForwardedFor,
    xRequestId: req.xRequestId,
    kept: req.headers.kept(req.head, req.headersStart),
  };
}

// A head instance dirtied by a request that sets every field, to catch state leaking between
// requests on one connection.
const DIRTY = r(
  'POST http://example.com/dirty?x=1 HTTP/1.1',
  H,
  'Transfer-Encoding: chunked',
  'Expect: 100-continue',
  'Connection: close, upgrade, x-hop',
  'Upgrade: websocket',
  'X-Hop: 1',
  'X-Forwarded-For: 9.9.9.9',
  'X-Request-ID: dirty',
);

test('request corpus has at least 150 cases', () => {
  assert.ok(CASES.length >= 150, `only ${CASES.length} cases`);
  const names = new Set<string>();
  for (const c of CASES) {
    assert.ok(!names.has(c.name), `duplicate case name: ${c.name}`);
    names.add(c.name);
  }
});

for (const c of CASES) {
  test(`request: ${c.name}`, c.todo !== undefined ? { todo: c.todo } : {}, () => {
    const head = headFor(c);
    const req = new RequestHead();
    const status = parseRequestHead(head, req);
    assert.equal(status, c.status, `status (error: ${req.error || 'none'})`);
    if (status !== 0) {
      assert.notEqual(req.error, '', 'a rejection carries a reason');
      return;
    }
    const got = snapshot(req);
    for (const [k, v] of Object.entries(c.want ?? {})) assert.deepEqual(got[k], v, k);

    // Same result on an instance reused after another request.
    const reused = new RequestHead();
    assert.equal(parseRequestHead(frame(DIRTY), reused), 0, `dirtying request: ${reused.error}`);
    assert.equal(parseRequestHead(head, reused), 0);
    assert.deepEqual(snapshot(reused), got, 'state leaked from the previous request');
  });
}

test('a rejected request leaves no framing behind for the next one', () => {
  const req = new RequestHead();
  assert.equal(parseRequestHead(frame(r('POST / HTTP/1.1', H, 'Content-Length: 5', 'Content-Length: 6')), req), 400);
  assert.equal(parseRequestHead(frame(r('GET / HTTP/1.1', H)), req), 0);
  assert.equal(req.bodyKind, BODY_NONE);
  assert.equal(req.contentLength, 0);
});
