// Parses one HTTP/1.1 request head (RFC 9112), strictly: anything a request-smuggling attack
// relies on (CL+TE together, duplicate or malformed Content-Length, unknown transfer codings,
// obs-fold, whitespace before the colon, bare CR/LF, duplicate Host, absolute-form targets that
// disagree with Host) is rejected with a status code and never reaches an upstream.

import { normalizePath } from '../../routes/paths.ts';
import { CONN_CLOSE, CONN_KEEP_ALIVE, CONN_OTHER, CONN_UPGRADE, connectionFlags, connectionNames, dropHopByHop, HEADER_BLOCK, HeaderIndex, nameEquals, TOKEN, valueEquals } from './headers.ts';

/** Request body framing. */
export const BODY_NONE = 0;
export const BODY_LENGTH = 1;
export const BODY_CHUNKED = 2;

/** The parsed head; one instance per connection, reused for every request. */
export class RequestHead {
  head = '';
  method = '';
  /** Request target as received (origin-form, or absolute-form). */
  target = '';
  /** Normalised path used for matching (no query). */
  path = '';
  /** Path as received, without the query. */
  rawPath = '';
  /** "?..." or "". */
  query = '';
  minor = 1;
  /** Host header value as received (with port), or the authority of an absolute-form target. */
  host = '';
  /** Lower-case host without port, for routing. */
  hostname = '';
  bodyKind = BODY_NONE;
  contentLength = 0;
  keepAlive = true;
  expectContinue = false;
  /** Upgrade header value when Connection lists "upgrade", else "". */
  upgrade = '';
  /** Index just past the request line's CRLF. */
  headersStart = 0;
  /** Values of headers sluice rewrites; "" when absent. */
  xForwardedFor = '';
  xRequestId = '';
  xRealIp = '';
  xForwardedProto = '';
  xForwardedHost = '';
  xForwardedPort = '';
  readonly headers = new HeaderIndex();
  /** Extra hop-by-hop header names listed in Connection (rare). */
  connectionTokens: string[] | null = null;
  /** Short reason for a rejection, for the log. */
  error = '';
}

const METHOD_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// eslint-disable-next-line no-control-regex
const TARGET_BAD = /[\x00-\x20\x7f]/;
// Host / authority: IP-literal or reg-name, optional port (RFC 3986 3.2.2). Percent-encoding is
// refused although reg-name allows it: no DNS name needs it, and an upstream that decodes Host
// ("a%2fb") would route on a name sluice never compared.
const HOST_RE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=]*)(?::\d{0,5})?$/;

const H2C_RE = /(?:^|,)[ \t]*h2c[ \t]*(?:,|$)/i;

function reject(req: RequestHead, status: number, why: string): number {
  req.error = why;
  return status;
}

/** Lower-cases and strips the port (and a trailing dot) from a Host value. */
export function hostnameOf(host: string): string {
  let end = host.length;
  if (host.charCodeAt(0) === 91 /* [ */) {
    const close = host.indexOf(']');
    end = close < 0 ? end : close + 1;
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0) end = colon;
  }
  if (end > 0 && host.charCodeAt(end - 1) === 46) end--;
  const h = end === host.length ? host : host.slice(0, end);
  return /[A-Z]/.test(h) ? h.toLowerCase() : h;
}

/** Port of a Host value (already validated), or `dflt` when it has none. */
function portOf(host: string, dflt: number): number {
  const colon = host.lastIndexOf(':');
  if (colon < 0 || colon < host.lastIndexOf(']') || colon === host.length - 1) return dflt;
  return Number(host.slice(colon + 1));
}

/**
 * Parses `head` (the request line and header lines, each ending in CRLF, without the final
 * empty line). Returns 0 on success or the HTTP status to answer with.
 */
export function parseRequestHead(head: string, req: RequestHead): number {
  req.head = head;
  req.error = '';
  req.bodyKind = BODY_NONE;
  req.contentLength = 0;
  req.expectContinue = false;
  req.upgrade = '';
  req.connectionTokens = null;
  req.xForwardedFor = '';
  req.xRequestId = '';
  req.xRealIp = '';
  req.xForwardedProto = '';
  req.xForwardedHost = '';
  req.xForwardedPort = '';
  req.host = '';
  const hdrs = req.headers;
  hdrs.reset();

  const lineEnd = head.indexOf('\r\n');
  if (lineEnd < 0) return reject(req, 400, 'request line not terminated by CRLF');
  const sp1 = head.indexOf(' ');
  if (sp1 <= 0 || sp1 > lineEnd) return reject(req, 400, 'malformed request line');
  const sp2 = head.indexOf(' ', sp1 + 1);
  if (sp2 < 0 || sp2 > lineEnd || sp2 === sp1 + 1) return reject(req, 400, 'malformed request line');
  const method = head.slice(0, sp1);
  if (method !== 'GET' && method !== 'POST' && !METHOD_RE.test(method)) return reject(req, 400, 'invalid method');
  const target = head.slice(sp1 + 1, sp2);
  if (TARGET_BAD.test(target)) return reject(req, 400, 'invalid character in request target');
  // "HTTP/1.1" is 8 characters; anything else on the line is malformed.
  if (lineEnd - sp2 - 1 !== 8 || !head.startsWith('HTTP/1.', sp2 + 1)) {
    return /^HTTP\/\d\.\d$/.test(head.slice(sp2 + 1, lineEnd)) ? reject(req, 505, 'HTTP version not supported') : reject(req, 400, 'malformed HTTP version');
  }
  const minorCode = head.charCodeAt(sp2 + 8);
  if (minorCode !== 48 && minorCode !== 49) {
    return minorCode >= 48 && minorCode <= 57 ? reject(req, 505, 'HTTP version not supported') : reject(req, 400, 'malformed HTTP version');
  }
  req.minor = minorCode - 48;
  req.keepAlive = req.minor === 1;
  req.method = method;
  req.target = target;

  const start = lineEnd + 2;
  req.headersStart = start;
  HEADER_BLOCK.lastIndex = start;
  if (!HEADER_BLOCK.test(head)) return reject(req, 400, 'malformed header line (whitespace before colon, obs-fold, control character or bare CR/LF)');

  let pos = start;
  let hostIdx = -1;
  let clSeen = false;
  // Transfer-Encoding lines: how many, and the value range of the last one.
  let teCount = 0;
  let teStart = 0;
  let teEnd = 0;
  let upgradeValue = '';
  let expectBad = false;
  let conn = 0;
  // Next "_" at or after the current line (amortised: one scan of the head in all).
  let underscore = head.indexOf('_', start);
  const n = head.length;
  while (pos < n) {
    const colon = head.indexOf(':', pos);
    const eol = head.indexOf('\r', colon); // HEADER_BLOCK: every CR starts a CRLF
    let vs = colon + 1;
    let ve = eol;
    while (vs < ve && (head.charCodeAt(vs) === 32 || head.charCodeAt(vs) === 9)) vs++;
    while (ve > vs && (head.charCodeAt(ve - 1) === 32 || head.charCodeAt(ve - 1) === 9)) ve--;
    const idx = hdrs.push(pos, colon, vs, ve, eol + 2);
    if (underscore >= 0 && underscore < pos) underscore = head.indexOf('_', pos);
    if (underscore >= 0 && underscore < colon) {
      // Names with "_" are dropped, like nginx (underscores_in_headers off): CGI-style upstreams
      // map "_" and "-" to the same variable, so "Content_Length" or "Transfer_Encoding" would
      // become framing headers sluice never saw, and "X_Forwarded_For" would spoof ours.
      hdrs.drop[idx] = 1;
      pos = eol + 2;
      continue;
    }
    const len = colon - pos;
    const c0 = head.charCodeAt(pos) | 0x20;
    // Dispatch on length and first letter before comparing whole names.
    switch (len) {
      case 2:
        if (c0 === 116 && nameEquals(head, pos, colon, 'te')) hdrs.drop[idx] = 1;
        break;
      case 4:
        if (c0 === 104 && nameEquals(head, pos, colon, 'host')) {
          if (hostIdx >= 0) return reject(req, 400, 'duplicate Host header');
          hostIdx = idx;
          hdrs.drop[idx] = 1;
        }
        break;
      case 5:
        if (c0 === 112 && nameEquals(head, pos, colon, 'proxy')) hdrs.drop[idx] = 1; // httpoxy
        break;
      case 6:
        if (c0 === 101 && nameEquals(head, pos, colon, 'expect')) {
          hdrs.drop[idx] = 1;
          // An HTTP/1.0 client cannot read an interim response (RFC 9110 10.1.1: ignore it).
          if (valueEquals(head, vs, ve, '100-continue')) req.expectContinue = req.minor === 1;
          else expectBad = true;
        }
        break;
      case 7:
        if (c0 === 117 && nameEquals(head, pos, colon, 'upgrade')) {
          hdrs.drop[idx] = 1;
          upgradeValue = head.slice(vs, ve);
        }
        break;
      case 8:
        if (c0 === 120 && nameEquals(head, pos, colon, 'x-scheme')) hdrs.drop[idx] = 1;
        break;
      case 9:
        if (c0 === 120 && nameEquals(head, pos, colon, 'x-real-ip')) {
          hdrs.drop[idx] = 1;
          req.xRealIp = head.slice(vs, ve);
        }
        break;
      case 10:
        if (c0 === 99 && nameEquals(head, pos, colon, 'connection')) {
          hdrs.drop[idx] = 1;
          const f = connectionFlags(head, vs, ve);
          if ((f & CONN_OTHER) !== 0) connectionNames(head, vs, ve, (req.connectionTokens ??= []));
          conn |= f;
        } else if (c0 === 107 && nameEquals(head, pos, colon, 'keep-alive')) hdrs.drop[idx] = 1;
        break;
      case 12:
        if (c0 === 120 && nameEquals(head, pos, colon, 'x-request-id')) {
          hdrs.drop[idx] = 1;
          req.xRequestId = head.slice(vs, ve);
        }
        break;
      case 14:
        if (c0 === 99 && nameEquals(head, pos, colon, 'content-length')) {
          if (clSeen) return reject(req, 400, 'duplicate Content-Length');
          clSeen = true;
          if (ve === vs || ve - vs > 15) return reject(req, 400, 'invalid Content-Length');
          // The line is forwarded as received: refuse leading zeros, which a strtol(base 0)-style
          // upstream would read as octal.
          if (ve - vs > 1 && head.charCodeAt(vs) === 48) return reject(req, 400, 'Content-Length with leading zeros');
          let v = 0;
          for (let i = vs; i < ve; i++) {
            const d = head.charCodeAt(i) - 48;
            if (d < 0 || d > 9) return reject(req, 400, 'invalid Content-Length');
            v = v * 10 + d;
          }
          req.contentLength = v;
        }
        break;
      case 15:
        if (c0 === 120 && nameEquals(head, pos, colon, 'x-forwarded-for')) {
          hdrs.drop[idx] = 1;
          req.xForwardedFor = req.xForwardedFor === '' ? head.slice(vs, ve) : `${req.xForwardedFor}, ${head.slice(vs, ve)}`;
        }
        break;
      case 16:
        if (c0 === 120) {
          if (nameEquals(head, pos, colon, 'x-forwarded-host')) {
            hdrs.drop[idx] = 1;
            req.xForwardedHost = head.slice(vs, ve);
          } else if (nameEquals(head, pos, colon, 'x-forwarded-port')) {
            hdrs.drop[idx] = 1;
            req.xForwardedPort = head.slice(vs, ve);
          }
        } else if (c0 === 112 && nameEquals(head, pos, colon, 'proxy-connection')) hdrs.drop[idx] = 1;
        break;
      case 17:
        if (c0 === 116 && nameEquals(head, pos, colon, 'transfer-encoding')) {
          teCount++;
          teStart = vs;
          teEnd = ve;
        } else if (c0 === 120 && nameEquals(head, pos, colon, 'x-forwarded-proto')) {
          hdrs.drop[idx] = 1;
          req.xForwardedProto = head.slice(vs, ve);
        }
        break;
      case 18:
        if (c0 === 120 && nameEquals(head, pos, colon, 'x-forwarded-scheme')) hdrs.drop[idx] = 1;
        break;
      case 24:
        if (c0 === 120 && nameEquals(head, pos, colon, 'x-original-forwarded-for')) hdrs.drop[idx] = 1;
        break;
    }
    pos = eol + 2;
  }

  // Rejections are ordered: a malformed request (400) first, then 405, 501 and 417, so the
  // answer does not depend on the order of the header lines.
  if (teCount > 0) {
    if (req.minor === 0) return reject(req, 400, 'Transfer-Encoding in an HTTP/1.0 request');
    if (clSeen) return reject(req, 400, 'both Content-Length and Transfer-Encoding');
  }

  // Headers named in Connection are hop-by-hop (RFC 9110 7.6.1).
  const tokens = req.connectionTokens as string[] | null;
  if (tokens !== null) dropHopByHop(head, hdrs, tokens);
  // "close" wins over "keep-alive", whatever their order (RFC 9112 9.3).
  if ((conn & CONN_CLOSE) !== 0) req.keepAlive = false;
  else if ((conn & CONN_KEEP_ALIVE) !== 0) req.keepAlive = true;
  // Upgrade is ignored in HTTP/1.0 (RFC 9110 7.8), and so is an upgrade to h2c: a cleartext
  // HTTP/2 connection to the upstream would carry requests sluice never sees (h2c smuggling).
  req.upgrade = (conn & CONN_UPGRADE) !== 0 && req.minor === 1 && !H2C_RE.test(upgradeValue) ? upgradeValue : '';

  // Target: origin-form, absolute-form, or asterisk-form (OPTIONS *). CONNECT is refused below
  // whatever its target looks like (an upstream would open a tunnel for it).
  const connect = method === 'CONNECT';
  let pathStart = 0;
  let authority = '';
  if (connect) {
    pathStart = -1;
  } else if (target.charCodeAt(0) !== 47 /* / */) {
    if (target === '*') {
      if (method !== 'OPTIONS') return reject(req, 400, 'asterisk-form target is only valid for OPTIONS');
      pathStart = -1;
    } else {
      const m = /^[hH][tT][tT][pP][sS]?:\/\/([^/?#]*)/.exec(target);
      if (!m) return reject(req, 400, 'invalid request target');
      authority = m[1]!;
      pathStart = m[0].length;
      // Same rules as Host (so no userinfo: RFC 9110 4.2.4), and an http(s) URI needs a host.
      if (!HOST_RE.test(authority) || authority.indexOf('..') !== -1 || hostnameOf(authority) === '') return reject(req, 400, 'invalid authority in absolute-form target');
    }
  }
  if (hostIdx >= 0) {
    req.host = hdrs.value(head, hostIdx);
    // Like nginx (ngx_http_validate_host), an empty label ("a..b") is invalid.
    if (!HOST_RE.test(req.host) || req.host.indexOf('..') !== -1) return reject(req, 400, 'invalid Host header');
    if (authority !== '') {
      // The authority wins over Host for an origin server (RFC 9112 3.2.2) while the upstream
      // only sees Host: both must name the same host and port.
      const defaultPort = target.charCodeAt(4) === 58 /* : */ ? 80 : 443;
      if (hostnameOf(authority) !== hostnameOf(req.host) || portOf(authority, defaultPort) !== portOf(req.host, defaultPort)) {
        return reject(req, 400, 'absolute-form target disagrees with Host');
      }
    }
  } else if (req.minor === 1) {
    return reject(req, 400, 'missing Host header');
  } else {
    req.host = authority;
  }
  req.hostname = hostnameOf(req.host);

  if (pathStart < 0 || (pathStart === target.length && method === 'OPTIONS')) {
    // Asterisk-form; an absolute-form OPTIONS with an empty path and no query is forwarded as
    // "OPTIONS *" (RFC 9112 3.2.4).
    req.rawPath = '*';
    req.path = '*';
    req.query = '';
    if (pathStart > 0) req.target = '*';
  } else {
    const q = target.indexOf('?', pathStart);
    const hash = target.indexOf('#', pathStart);
    if (hash >= 0) return reject(req, 400, 'fragment in request target');
    const rawPath = q < 0 ? (pathStart === 0 ? target : target.slice(pathStart)) : target.slice(pathStart, q);
    req.rawPath = rawPath === '' ? '/' : rawPath;
    req.query = q < 0 ? '' : target.slice(q);
    const norm = normalizePath(req.rawPath);
    if (norm === null) return reject(req, 400, 'invalid path (bad %-escape, NUL, or ".." above the root)');
    req.path = norm;
    if (pathStart > 0) req.target = req.rawPath + req.query; // forward origin-form
  }

  if (connect) return reject(req, 405, 'CONNECT is not supported');
  if (teCount > 0) {
    // Exactly one line whose OWS-trimmed value is "chunked". No String.prototype.trim here: it
    // also strips NBSP (0xA0, an obs-text byte), and "chunked\xa0" is not chunked to an upstream.
    if (teCount !== 1 || !valueEquals(head, teStart, teEnd, 'chunked')) {
      return reject(req, 501, `unsupported Transfer-Encoding "${hdrs.get(head, 'transfer-encoding')}"`);
    }
    req.bodyKind = BODY_CHUNKED;
  } else if (clSeen && req.contentLength > 0) {
    req.bodyKind = BODY_LENGTH;
  }
  if (expectBad) return reject(req, 417, 'unsupported Expect value');
  return 0;
}

export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

/** Methods that are safe to retry on another endpoint (RFC 9110 9.2.2). */
export function isIdempotent(method: string): boolean {
  switch (method) {
    case 'GET':
    case 'HEAD':
    case 'PUT':
    case 'DELETE':
    case 'OPTIONS':
    case 'TRACE':
      return true;
    default:
      return false;
  }
}
