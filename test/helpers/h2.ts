// HTTP/2 clients for tests: a node:http2 request helper, and raw frame building/parsing for
// abuse tests that must speak the wire format directly (SETTINGS, HEADERS with HPACK literals,
// CONTINUATION, RST_STREAM).

import http2 from 'node:http2';
import net from 'node:net';

export interface H2Reply {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  trailers: http2.IncomingHttpHeaders | null;
}

export interface H2RequestOptions {
  method?: string;
  authority?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Send the body without content-length (chunked framing towards HTTP/1.1 upstreams). */
  noLength?: boolean;
  timeoutMs?: number;
}

export function h2request(session: http2.ClientHttp2Session, path: string, o: H2RequestOptions = {}): Promise<H2Reply> {
  return new Promise((resolve, reject) => {
    const headers: http2.OutgoingHttpHeaders = { ':method': o.method ?? 'GET', ':path': path, ...o.headers };
    if (o.authority !== undefined) headers[':authority'] = o.authority;
    if (o.body !== undefined && !o.noLength) headers['content-length'] = String(Buffer.byteLength(o.body));
    const req = session.request(headers, { endStream: o.body === undefined });
    let status = 0;
    let resHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders | null = null;
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      req.close(http2.constants.NGHTTP2_CANCEL);
      reject(new Error('h2 request timed out'));
    }, o.timeoutMs ?? 10_000);
    req.on('response', (h) => {
      status = Number(h[':status']);
      resHeaders = h;
    });
    req.on('trailers', (t) => (trailers = t));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      clearTimeout(timer);
      const body = Buffer.concat(chunks);
      resolve({ status, headers: resHeaders, body, text: body.toString('utf8'), trailers });
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    if (o.body !== undefined) req.end(o.body);
  });
}

/** Opens a session and waits until it is connected. */
export async function h2connect(url: string, opts: http2.SecureClientSessionOptions = {}): Promise<http2.ClientHttp2Session> {
  const s = http2.connect(url, opts);
  s.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('error', reject);
  });
  return s;
}

// ─────────────────────────────── raw frames ───────────────────────────────

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
export const FRAME = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
export const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const;
export const ERR = { NO_ERROR: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2, CANCEL: 8, ENHANCE_YOUR_CALM: 0xb } as const;

export function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream & 0x7fffffff, 5);
  return Buffer.concat([h, payload]);
}

function hpackInt(v: number, prefixBits: number, first: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (v < max) return [first | v];
  const out = [first | max];
  v -= max;
  while (v >= 128) {
    out.push((v % 128) + 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** HPACK "literal header field without indexing — new name" (RFC 7541 6.2.2), no Huffman. */
export function hpackLiteral(name: string, value: string): Buffer {
  const n = Buffer.from(name, 'latin1');
  const v = Buffer.from(value, 'latin1');
  return Buffer.concat([Buffer.from([0x00]), Buffer.from(hpackInt(n.length, 7, 0)), n, Buffer.from(hpackInt(v.length, 7, 0)), v]);
}

export function headerBlock(fields: [string, string][]): Buffer {
  return Buffer.concat(fields.map(([n, v]) => hpackLiteral(n, v)));
}

export function rstStream(stream: number, code: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(code);
  return frame(FRAME.RST_STREAM, 0, stream, p);
}

export interface ParsedFrame {
  type: number;
  flags: number;
  stream: number;
  payload: Buffer;
}

export function parseFrames(buf: Buffer): ParsedFrame[] {
  const out: ParsedFrame[] = [];
  let i = 0;
  while (i + 9 <= buf.length) {
    const len = buf.readUIntBE(i, 3);
    if (i + 9 + len > buf.length) break;
    out.push({ type: buf[i + 3]!, flags: buf[i + 4]!, stream: buf.readUInt32BE(i + 5) & 0x7fffffff, payload: buf.subarray(i + 9, i + 9 + len) });
    i += 9 + len;
  }
  return out;
}

/** A raw client socket that records everything received and whether the server closed. */
export interface RawH2 {
  socket: net.Socket;
  received(): Buffer;
  closed(): boolean;
  /** Writes, ignoring failures once the server has closed (EPIPE/ECONNRESET are the point). */
  send(b: Buffer): boolean;
  waitClosed(ms: number): Promise<boolean>;
  goaway(): { lastStream: number; code: number } | null;
}

export async function rawH2(port: number): Promise<RawH2> {
  const socket = net.connect(port, '127.0.0.1');
  let rx = Buffer.alloc(0);
  let closed = false;
  socket.on('data', (d: Buffer) => (rx = Buffer.concat([rx, d])));
  socket.on('error', () => {});
  const closedP = new Promise<void>((r) => socket.on('close', () => ((closed = true), r())));
  await new Promise<void>((r, j) => {
    socket.once('connect', r);
    socket.once('error', j);
  });
  socket.write(Buffer.concat([PREFACE, frame(FRAME.SETTINGS, 0, 0)]));
  return {
    socket,
    received: () => rx,
    closed: () => closed,
    send: (b) => (closed || socket.destroyed ? false : socket.write(b)),
    waitClosed: (ms) => Promise.race([closedP.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]),
    goaway() {
      const g = parseFrames(rx).find((f) => f.type === FRAME.GOAWAY);
      return g ? { lastStream: g.payload.readUInt32BE(0) & 0x7fffffff, code: g.payload.readUInt32BE(4) } : null;
    },
  };
}
