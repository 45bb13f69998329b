// Parses an upstream's response head and decides its body framing (RFC 9112 6.3). Framing
// errors close the upstream connection: a desynchronised keep-alive socket must never be reused.

import { CONN_CLOSE, CONN_KEEP_ALIVE, CONN_OTHER, connectionFlags, connectionNames, dropHopByHop, HEADER_BLOCK, HeaderIndex, nameEquals, valueEquals } from './headers.ts';

export const RESP_BODY_NONE = 0;
export const RESP_BODY_LENGTH = 1;
export const RESP_BODY_CHUNKED = 2;
export const RESP_BODY_CLOSE = 3; // read until the upstream closes

export class ResponseHead {
  head = '';
  status = 0;
  /** "200 OK" part of the status line (code and reason as received). */
  statusText = '';
  minor = 1;
  bodyKind = RESP_BODY_NONE;
  contentLength = 0;
  /** Upstream asked to close the connection after this response. */
  close = false;
  headersStart = 0;
  readonly headers = new HeaderIndex();
  error = '';
}

const FINAL_NONE = 0; // no coding in the list (only empty elements)
const FINAL_OTHER = 1;
const FINAL_CHUNKED = 2;

/**
 * The last non-empty element of the coding list in head[vs, ve): FINAL_CHUNKED when it is
 * "chunked" (case-insensitive, OWS-trimmed; not String.prototype.trim, which strips NBSP too).
 * Empty elements are ignored (RFC 9110 5.6.1).
 */
function finalCoding(head: string, vs: number, ve: number): number {
  let b = ve;
  while (b > vs) {
    const comma = head.lastIndexOf(',', b - 1);
    let a = comma < vs ? vs : comma + 1;
    let e = b;
    while (a < e && (head.charCodeAt(a) === 32 || head.charCodeAt(a) === 9)) a++;
    while (e > a && (head.charCodeAt(e - 1) === 32 || head.charCodeAt(e - 1) === 9)) e--;
    if (e > a) return valueEquals(head, a, e, 'chunked') ? FINAL_CHUNKED : FINAL_OTHER;
    if (comma < vs) break;
    b = comma;
  }
  return FINAL_NONE;
}

function fail(res: ResponseHead, why: string): boolean {
  res.error = why;
  return false;
}

/**
 * Parses `head` (status line and header lines, each ending in CRLF). `method` is the request's
 * method (HEAD responses have no body). Returns false on a malformed head.
 */
export function parseResponseHead(head: string, res: ResponseHead, method: string): boolean {
  res.head = head;
  res.error = '';
  res.close = false;
  res.contentLength = 0;
  const hdrs = res.headers;
  hdrs.reset();
  const lineEnd = head.indexOf('\r\n');
  // "HTTP/1.1 200" at least; reason phrase optional.
  if (lineEnd < 12 || !head.startsWith('HTTP/1.') || head.charCodeAt(8) !== 32) return fail(res, 'malformed status line');
  let minor = head.charCodeAt(7) - 48;
  if (minor < 0 || minor > 9) return fail(res, 'malformed HTTP version');
  // A higher minor version is processed as HTTP/1.1 (RFC 9110 2.5).
  if (minor > 1) minor = 1;
  const d0 = head.charCodeAt(9) - 48;
  const d1 = head.charCodeAt(10) - 48;
  const d2 = head.charCodeAt(11) - 48;
  if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return fail(res, 'invalid status code');
  if (lineEnd > 12 && head.charCodeAt(12) !== 32) return fail(res, 'malformed status line');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(head.slice(12, lineEnd))) return fail(res, 'invalid reason phrase');
  res.minor = minor;
  res.status = d0 * 100 + d1 * 10 + d2;
  res.statusText = head.slice(9, lineEnd);
  res.close = minor === 0;

  const start = lineEnd + 2;
  res.headersStart = start;
  HEADER_BLOCK.lastIndex = start;
  if (!HEADER_BLOCK.test(head)) return fail(res, 'malformed header line');

  let pos = start;
  let clSeen = false;
  // Transfer-Encoding: seen at all, and whether the final coding (the last non-empty element
  // over all lines) is chunked.
  let teSeen = false;
  let teChunked = false;
  let teCodings = false;
  let conn = 0;
  let hopByHop: string[] | null = null;
  const n = head.length;
  while (pos < n) {
    const colon = head.indexOf(':', pos);
    const eol = head.indexOf('\r', colon); // HEADER_BLOCK: every CR starts a CRLF
    let vs = colon + 1;
    let ve = eol;
    while (vs < ve && (head.charCodeAt(vs) === 32 || head.charCodeAt(vs) === 9)) vs++;
    while (ve > vs && (head.charCodeAt(ve - 1) === 32 || head.charCodeAt(ve - 1) === 9)) ve--;
    const idx = hdrs.push(pos, colon, vs, ve, eol + 2);
    const len = colon - pos;
    const c0 = head.charCodeAt(pos) | 0x20;
    switch (len) {
      case 6:
        // ingress-nginx clears Server (server-tokens off).
        if (c0 === 115 && nameEquals(head, pos, colon, 'server')) hdrs.drop[idx] = 1;
        break;
      case 7:
        if (c0 === 117 && nameEquals(head, pos, colon, 'upgrade')) hdrs.drop[idx] = 1;
        break;
      case 10:
        if (c0 === 99 && nameEquals(head, pos, colon, 'connection')) {
          hdrs.drop[idx] = 1;
          const f = connectionFlags(head, vs, ve);
          conn |= f;
          if ((f & CONN_OTHER) !== 0) connectionNames(head, vs, ve, (hopByHop ??= []));
        } else if (c0 === 107 && nameEquals(head, pos, colon, 'keep-alive')) hdrs.drop[idx] = 1;
        break;
      case 14:
        if (c0 === 99 && nameEquals(head, pos, colon, 'content-length')) {
          if (ve === vs || ve - vs > 15) return fail(res, 'invalid Content-Length');
          let v = 0;
          for (let i = vs; i < ve; i++) {
            const d = head.charCodeAt(i) - 48;
            if (d < 0 || d > 9) return fail(res, 'invalid Content-Length');
            v = v * 10 + d;
          }
          if (clSeen && v !== res.contentLength) return fail(res, 'conflicting Content-Length');
          if (clSeen) hdrs.drop[idx] = 1;
          clSeen = true;
          res.contentLength = v;
        }
        break;
      case 16:
        if (c0 === 112 && nameEquals(head, pos, colon, 'proxy-connection')) hdrs.drop[idx] = 1;
        break;
      case 17:
        if (c0 === 116 && nameEquals(head, pos, colon, 'transfer-encoding')) {
          if (!teSeen) teSeen = true;
          const last = finalCoding(head, vs, ve);
          if (last !== FINAL_NONE) {
            teCodings = true;
            teChunked = last === FINAL_CHUNKED;
          }
        }
        break;
    }
    pos = eol + 2;
  }
  // Hop-by-hop headers are dropped once all lines are indexed (a named header may come after the
  // Connection line); never Content-Length or Transfer-Encoding, which frame the relayed body.
  if (hopByHop !== null) dropHopByHop(head, hdrs, hopByHop);
  // Tokens, not substrings ("x-closed" is not close), and close wins over keep-alive.
  if ((conn & CONN_CLOSE) !== 0) res.close = true;
  else if (minor === 0 && (conn & CONN_KEEP_ALIVE) !== 0) res.close = false;

  // A Transfer-Encoding that names no coding frames nothing (llhttp: "Empty Transfer-Encoding").
  if (teSeen && !teCodings) return fail(res, 'empty Transfer-Encoding');
  // Transfer-Encoding in an HTTP/1.0 message means faulty framing: process it, then close the
  // connection (RFC 9112 6.1), whatever Connection says.
  if (teSeen && minor === 0) res.close = true;

  const s = res.status;
  if (method === 'HEAD' || s < 200 || s === 204 || s === 304) {
    res.bodyKind = RESP_BODY_NONE;
  } else if (teSeen) {
    // Content-Length is ignored when Transfer-Encoding is present (RFC 9112 6.3 item 3); such a
    // message "ought to be handled as an error": relay it, but never reuse that connection.
    if (clSeen) {
      const i = hdrs.find(head, 'content-length');
      if (i >= 0) hdrs.drop[i] = 1;
      res.close = true;
    }
    if (teChunked) res.bodyKind = RESP_BODY_CHUNKED;
    else {
      res.bodyKind = RESP_BODY_CLOSE;
      res.close = true;
    }
  } else if (clSeen) {
    res.bodyKind = res.contentLength === 0 ? RESP_BODY_NONE : RESP_BODY_LENGTH;
  } else {
    res.bodyKind = RESP_BODY_CLOSE;
    res.close = true;
  }
  return true;
}
