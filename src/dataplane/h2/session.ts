// One downstream HTTP/2 connection: hands each stream to a StreamBridge, and enforces the
// connection-level rules nginx applies to HTTP/2 — keep-alive (idle) timeout, keep-alive-requests
// (GOAWAY after that many streams), client-header-timeout for the first request — plus the
// rapid-reset guard (CVE-2023-44487): too many streams reset by the client within the window and
// the connection is closed with GOAWAY ENHANCE_YOUR_CALM.

import http2 from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { clock, sweeper, type Timed } from '../clock.ts';
import { emptyExchangeRecord, type ConnContext } from '../context.ts';
import { errorBody } from '../http1/responses.ts';
import { translateRequest } from './request.ts';
import { StreamBridge, type BridgeOwner } from './stream-bridge.ts';
import type { ProxyInfo } from '../proxy-protocol/parse.ts';

const { NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_FLAG_END_STREAM } = http2.constants;

export interface H2Limits {
  /** Client resets tolerated per window before the connection is closed. */
  maxResets: number;
  resetWindowMs: number;
}

export interface SessionHost {
  readonly ctx: ConnContext;
  readonly limits: H2Limits;
  sessionClosed(c: H2Conn): void;
}

function ignore(): void {
  /* session errors end in 'close' */
}

/** How long a connection told to calm down lingers before it is closed. */
const CALM_LINGER_MS = 1000;

function destroySession(s: http2.ServerHttp2Session): void {
  if (!s.destroyed) s.destroy();
}

export class H2Conn implements Timed, BridgeOwner {
  readonly session: http2.ServerHttp2Session;
  readonly host: SessionHost;
  readonly secure: boolean;
  readonly remoteAddress: string;
  /** PROXY protocol header of the connection (use-proxy-protocol), or null. */
  readonly proxy: ProxyInfo | null;
  readonly localPort: number;
  /** Streams in progress. */
  active = 0;
  /** Streams accepted over the connection's life. */
  requests = 0;
  resets = 0;
  windowStart = 0;
  /** GOAWAY sent: no new streams. */
  closing = false;
  closed = false;
  deadline = 0;
  /** Bridges (with their idle Http1Connection) from finished streams, reused for new ones. */
  readonly idle: StreamBridge[] = [];
  readonly #onStream = (stream: http2.ServerHttp2Stream, _h: unknown, flags: number, raw: string[]): void => this.onStream(stream, flags, raw);
  readonly #onClose = (): void => this.onClose();

  constructor(session: http2.ServerHttp2Session, host: SessionHost, proxy: ProxyInfo | null = null) {
    this.proxy = proxy;
    this.session = session;
    this.host = host;
    const socket = session.socket as TLSSocket;
    this.secure = socket.encrypted === true;
    const ra = socket.remoteAddress ?? '';
    this.remoteAddress = ra;
    this.localPort = socket.localPort ?? 0;
    session.on('stream', this.#onStream);
    session.on('error', ignore);
    session.on('close', this.#onClose);
    clock.now = Date.now();
    const t = host.ctx.limits.clientHeaderTimeoutMs;
    this.deadline = t > 0 ? clock.now + t : 0;
    sweeper.add(this);
    if (host.ctx.draining) this.close();
  }

  get ctx(): ConnContext {
    return this.host.ctx;
  }

  onStream(stream: http2.ServerHttp2Stream, flags: number, raw: string[]): void {
    clock.now = Date.now();
    if (stream.closed || stream.destroyed) {
      // Reset before we saw it: the rapid-reset pattern. Never start an exchange for it.
      this.countReset();
      return;
    }
    this.requests++;
    // Header list size as HTTP/2 counts it (RFC 9113 6.5.2): the limit is large-client-header-buffers' total.
    let size = 0;
    for (let i = 0; i < raw.length; i++) size += raw[i]!.length;
    size += 16 * raw.length;
    if (size > this.ctx.limits.maxHead) {
      this.refuse(stream, raw, 431, `request header list of ${size} bytes exceeds large-client-header-buffers (${this.ctx.limits.maxHead})`);
    } else {
      this.active++;
      this.deadline = 0;
      const b = this.idle.length > 0 ? this.idle.pop()! : new StreamBridge(this);
      b.bind(stream, translateRequest(raw, (flags & NGHTTP2_FLAG_END_STREAM) !== 0));
    }
    const max = this.ctx.limits.keepAliveRequests;
    if (max > 0 && this.requests >= max) this.close();
  }

  /** Answers a stream sluice will not proxy, and logs it like any refused request. */
  refuse(stream: http2.ServerHttp2Stream, raw: string[], status: number, why: string): void {
    let method = '';
    let path = '';
    let authority = '';
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (raw[i] === ':method') method = raw[i + 1]!;
      else if (raw[i] === ':path') path = raw[i + 1]!;
      else if (raw[i] === ':authority') authority = raw[i + 1]!;
    }
    const body = errorBody(status);
    stream.on('error', ignore);
    try {
      stream.respond({ ':status': status, 'content-type': 'text/html', 'content-length': String(body.length) });
      stream.end(body);
    } catch {
      /* the stream went away */
    }
    const rec = emptyExchangeRecord();
    rec.startMs = clock.now;
    rec.clientIp = this.remoteAddress.startsWith('::ffff:') ? this.remoteAddress.slice(7) : this.remoteAddress;
    rec.method = method;
    rec.scheme = this.secure ? 'https' : 'http';
    rec.host = authority;
    rec.uri = path.length > 256 ? `${path.slice(0, 256)}...` : path;
    rec.httpVersion = 'HTTP/2.0';
    rec.status = status;
    rec.responseBytes = body.length;
    rec.error = why;
    this.ctx.sink.record(rec, null);
  }

  park(b: StreamBridge): boolean {
    if (this.closing || this.closed || this.idle.length >= this.ctx.cfg['http2-max-concurrent-streams']) return false;
    this.idle.push(b);
    return true;
  }

  unpark(b: StreamBridge): void {
    const i = this.idle.indexOf(b);
    if (i >= 0) this.idle.splice(i, 1);
  }

  streamClosed(clientReset: boolean): void {
    this.active--;
    if (clientReset) this.countReset();
    if (this.active === 0 && !this.closed) {
      const ka = this.ctx.limits.keepAliveMs;
      this.deadline = ka > 0 ? clock.now + ka : 0;
    }
  }

  countReset(): void {
    const now = clock.now;
    const lim = this.host.limits;
    if (now - this.windowStart >= lim.resetWindowMs) {
      this.windowStart = now;
      this.resets = 0;
    }
    if (++this.resets > lim.maxResets && !this.closed) {
      this.ctx.log('warn', { client: this.remoteAddress, resets: this.resets, windowS: lim.resetWindowMs / 1000 }, 'HTTP/2 client reset too many streams; closing the connection (GOAWAY ENHANCE_YOUR_CALM)');
      this.closed = true;
      // GOAWAY first, destroy a moment later: closing at once, with the client still sending,
      // makes the kernel answer with a reset that can discard the GOAWAY before it is read.
      this.session.goaway(NGHTTP2_ENHANCE_YOUR_CALM);
      setTimeout(destroySession, CALM_LINGER_MS, this.session).unref();
    }
  }

  /** Graceful close: GOAWAY, streams in progress finish, then the connection closes. */
  close(): void {
    if (this.closing || this.closed) return;
    this.closing = true;
    for (const b of this.idle.splice(0)) b.detach();
    this.session.close();
  }

  destroy(): void {
    if (!this.session.destroyed) this.session.destroy();
  }

  onTimeout(): void {
    // Idle (keep-alive) or no first request in time.
    if (this.active === 0) this.close();
  }

  onClose(): void {
    this.closed = true;
    sweeper.delete(this);
    for (const b of this.idle.splice(0)) b.detach();
    this.host.sessionClosed(this);
  }
}
