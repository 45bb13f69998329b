// The HTTP/2 front end: one node:http2 server used only for its framing (it never listens),
// fed TLS sockets that negotiated "h2" and, with --enable-h2c, cleartext sockets that began with
// the connection preface. Limits come from the ConfigMap (ingress-nginx keys where they exist):
//
//   http2-max-concurrent-streams (128)        SETTINGS_MAX_CONCURRENT_STREAMS; streams beyond are
//                                             refused, and after 100 refusals the connection closes
//   large-client-header-buffers ("4 8k")      header list above count × size → 431; above twice
//                                             that (SETTINGS_MAX_HEADER_LIST_SIZE) Node resets the stream
//   keep-alive / keep-alive-requests          idle timeout / GOAWAY after that many streams
//   client-header-timeout                     time to the first stream
//   http2-rapid-reset-threshold (200) per     client resets per connection per window before
//   http2-rapid-reset-window (10s)            GOAWAY ENHANCE_YOUR_CALM
//
// nghttp2 (inside Node) adds its own guards, kept: at most 8 CONTINUATION frames per header
// block (CVE-2024-28182), a token bucket on received RST_STREAM (burst 1000, 33/s), bounded
// SETTINGS/PING acknowledgements, a session memory cap (10 MB), and the invalid-frame budget set
// below.

import http2 from 'node:http2';
import type net from 'node:net';
import { headerBuffers, type GlobalConfig } from '../../compile/config.ts';
import type { ConnContext } from '../context.ts';
import { H2Conn, type H2Limits, type SessionHost } from './session.ts';
import { proxyInfoOf } from '../proxy-protocol/accept.ts';
import type { ProxyInfo } from '../proxy-protocol/parse.ts';

/** Header fields per request; more are refused by Node (the size limit binds long before, normally). */
export const MAX_HEADER_PAIRS = 256;
/** Invalid frames (malformed, on closed streams...) tolerated per connection. */
export const MAX_INVALID_FRAMES = 100;
/** Streams refused for exceeding the concurrency limit before the connection is closed. */
export const MAX_REJECTED_STREAMS = 100;

export function h2Settings(cfg: GlobalConfig): http2.Settings {
  const hb = headerBuffers(cfg);
  return {
    maxConcurrentStreams: cfg['http2-max-concurrent-streams'],
    // Node resets streams above this (ENHANCE_YOUR_CALM); up to it, sluice answers 431 itself
    // when the list exceeds large-client-header-buffers' total (see H2Conn.onStream).
    maxHeaderListSize: 2 * hb.size * hb.count,
    enablePush: false,
    enableConnectProtocol: false,
  };
}

export function h2Limits(cfg: GlobalConfig): H2Limits {
  return { maxResets: cfg['http2-rapid-reset-threshold'], resetWindowMs: cfg['http2-rapid-reset-window'] * 1000 };
}

export class H2Frontend implements SessionHost {
  readonly server: http2.Http2Server;
  readonly sessions = new Set<H2Conn>();
  readonly ctx: ConnContext;
  limits: H2Limits;
  /** PROXY protocol header of the socket being accepted (see accept). */
  #acceptingProxy: ProxyInfo | null = null;

  constructor(ctx: ConnContext) {
    this.ctx = ctx;
    this.limits = h2Limits(ctx.cfg);
    this.server = http2.createServer({
      settings: h2Settings(ctx.cfg),
      maxHeaderListPairs: MAX_HEADER_PAIRS,
      maxSessionInvalidFrames: MAX_INVALID_FRAMES,
      maxSessionRejectedStreams: MAX_REJECTED_STREAMS,
    });
    this.server.on('session', (s: http2.ServerHttp2Session) => {
      this.sessions.add(new H2Conn(s, this, this.#acceptingProxy));
    });
    this.server.on('sessionError', () => {
      /* each session has its own error handler */
    });
  }

  /** Takes over a socket that speaks HTTP/2. `head`: bytes already read from it (h2c preface). */
  accept(socket: net.Socket, head: Buffer | null): void {
    if (head !== null && head.length > 0) {
      // Stop the flowing mode the HTTP/1.1 reader left on, or the pushed-back bytes are emitted
      // to nobody; node:http2 reads the socket's buffer, then the handle, itself.
      socket.pause();
      socket.unshift(head);
    }
    // node:http2 makes the session synchronously inside emit('connection'); the PROXY protocol
    // header read from the raw socket rides along (session.socket is a proxy object, not a key).
    this.#acceptingProxy = this.ctx.cfg['use-proxy-protocol'] ? proxyInfoOf(socket) : null;
    try {
      this.server.emit('connection', socket);
    } finally {
      this.#acceptingProxy = null;
    }
  }

  /** New ConfigMap: settings apply to new connections, limits at once. */
  configure(cfg: GlobalConfig): void {
    this.server.updateSettings(h2Settings(cfg));
    this.limits = h2Limits(cfg);
  }

  sessionClosed(c: H2Conn): void {
    this.sessions.delete(c);
  }

  /** Shutdown: GOAWAY everywhere; idle connections close now, busy ones when their streams end. */
  drain(): void {
    for (const c of this.sessions) c.close();
  }

  closeAll(): void {
    for (const c of [...this.sessions]) c.destroy();
  }
}
