// An HTTP/2 request head → the HTTP/1.1 request head the shared exchange code parses (and
// validates: the strict HTTP/1.1 parser sees every h2 request too). `:authority` becomes Host,
// cookie fields are joined with "; ", connection-specific fields are dropped (nghttp2 already
// refuses them), and a body of unknown length is framed as chunked.

import { isConnectionSpecific } from './fields.ts';

export interface H2Request {
  head: string;
  method: string;
  /** The body is relayed with chunked framing (no content-length and not ended with the head). */
  chunked: boolean;
  /** The request ended with its head (no body). */
  endStream: boolean;
}

const scratch: H2Request = { head: '', method: '', chunked: false, endStream: true };

/**
 * `raw` is the flat [name, value, ...] list Node hands out with a stream. The result object is
 * shared: use it before the next call.
 */
export function translateRequest(raw: readonly string[], endStream: boolean): H2Request {
  let method = '';
  let path = '';
  let authority = '';
  let host = '';
  let cookie = '';
  let lines = '';
  let hasLength = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (name.charCodeAt(0) === 58 /* : */) {
      if (name === ':method') method = value;
      else if (name === ':path') path = value;
      else if (name === ':authority') authority = value;
      // :scheme is not trusted (X-Forwarded-Proto follows the connection); :protocol is refused by nghttp2.
      continue;
    }
    switch (name) {
      case 'cookie':
        cookie = cookie === '' ? value : `${cookie}; ${value}`;
        continue;
      case 'host':
        if (host === '') host = value;
        continue;
      case 'content-length':
        hasLength = true;
        break;
      default:
        if (isConnectionSpecific(name)) continue;
    }
    lines += `${name}: ${value}\r\n`;
  }
  const chunked = !endStream && !hasLength;
  const target = path !== '' ? path : authority;
  scratch.method = method;
  scratch.chunked = chunked;
  scratch.endStream = endStream;
  const hostValue = authority !== '' ? authority : host;
  scratch.head =
    `${method} ${target} HTTP/1.1\r\n` +
    // Neither :authority nor host: the HTTP/1.1 parser answers 400 (missing Host).
    (hostValue !== '' ? `host: ${hostValue}\r\n` : '') +
    lines +
    (cookie !== '' ? `cookie: ${cookie}\r\n` : '') +
    (chunked ? 'transfer-encoding: chunked\r\n\r\n' : '\r\n');
  return scratch;
}
