// HTTP/2 towards pods: backend-protocol GRPC (cleartext h2 with prior knowledge) and GRPCS (h2
// over TLS, ALPN "h2"). One pool per endpoint keeps a few sessions and multiplexes streams on
// them (a new session opens when the server's SETTINGS_MAX_CONCURRENT_STREAMS is reached, or
// after GOAWAY). Idle sessions close after upstream-keepalive-timeout; a session stops taking new
// streams after upstream-keepalive-requests streams or upstream-keepalive-time.
//
// Each stream is an UpstreamLink: the exchange writes HTTP/1.1 request bytes into it and gets
// HTTP/1.1 response bytes back (body chunked, HTTP/2 trailers as chunked trailers — grpc-status
// travels that way). So gRPC goes through the same retry, timeout and policy code as HTTP/1.1,
// and the HTTP/2 front end turns those bytes back into HEADERS/DATA/trailers.
//
// Failures map as for HTTP/1.1 upstreams: a session that cannot connect → connect failure (502,
// or the next endpoint per proxy-next-upstream; gRPC clients read HTTP 502 as UNAVAILABLE); a
// stream reset by the pod → "upstream closed the connection" (502 before the response head, a
// truncated response after it). REFUSED_STREAM, or a stream above a GOAWAY's last stream id,
// was never processed, so it is retried like a keep-alive race, even for POST.

import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { clock, sweeper, type Timed } from '../clock.ts';
import { ChunkedScanner, chunkFrame } from '../http1/chunked.ts';
import { statusText } from '../http1/responses.ts';
import { poolDebug, type LinkPool, type LinkSocket, type PoolLimits, type UpstreamLink, type UpstreamOwner } from './link.ts';
import { tlsConnectOptions, type TlsUpstreamOptions } from './tls-client.ts';

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM, NGHTTP2_FLAG_END_STREAM } = http2.constants;

/** Streams per session when the server has not (yet) said how many it takes. */
const DEFAULT_STREAMS = 100;

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

const SESSION = Symbol('sluice.h2.session');
const LINK = Symbol('sluice.h2.link');
type PooledSession = http2.ClientHttp2Session & { [SESSION]: H2Session };
type LinkedStream = http2.ClientHttp2Stream & { [LINK]: H2Stream };

/** Request fields that do not cross into HTTP/2 (or that sluice sets itself). */
function skipRequestField(name: string): boolean {
  switch (name) {
    case 'host':
    case 'connection':
    case 'keep-alive':
    case 'proxy-connection':
    case 'transfer-encoding':
    case 'upgrade':
    case 'te':
    case 'http2-settings':
      return true;
    default:
      return false;
  }
}

// ───────────────────────────── session events ─────────────────────────────

function onSessionConnect(this: PooledSession): void {
  this[SESSION].connected();
}
function onSessionError(this: PooledSession, err: Error): void {
  this[SESSION].error = err;
}
function onSessionGoaway(this: PooledSession): void {
  this[SESSION].retire();
}
function onSessionClose(this: PooledSession): void {
  this[SESSION].closed();
}

class H2Session implements Timed {
  readonly pool: H2Pool;
  readonly session: PooledSession;
  isConnected = false;
  isClosed = false;
  /** Takes no new streams (GOAWAY, age, request count, pool retired). */
  retiring = false;
  /** Streams attached (waiting for the connection or in progress). */
  active = 0;
  requests = 0;
  readonly createdAt = clock.now;
  deadline = 0;
  error: Error | null = null;
  readonly waiting: H2Stream[] = [];

  constructor(pool: H2Pool) {
    this.pool = pool;
    const t = pool.tls;
    const host = pool.address.includes(':') ? `[${pool.address}]` : pool.address;
    const s = http2.connect(`${t === null ? 'http' : 'https'}://${host}:${pool.port}`, {
      createConnection: () => (t === null ? net.connect({ host: pool.address, port: pool.port, noDelay: true }) : tls.connect(tlsConnectOptions(pool.address, pool.port, t, 'h2'))),
      settings: { enablePush: false },
    }) as PooledSession;
    s[SESSION] = this;
    s.on('connect', onSessionConnect);
    s.on('error', onSessionError);
    s.on('goaway', onSessionGoaway);
    s.on('close', onSessionClose);
    this.session = s;
    sweeper.add(this);
    poolDebug.log?.('upstream h2 session opened', { upstream: pool.key });
  }

  /** Can this session take one more stream now? */
  hasRoom(): boolean {
    if (this.retiring || this.isClosed) return false;
    const l = this.pool.limits;
    if (clock.now - this.createdAt > l.maxAgeMs || (l.maxRequests > 0 && this.requests >= l.maxRequests)) {
      this.retire();
      return false;
    }
    const max = this.isConnected ? (this.session.remoteSettings.maxConcurrentStreams ?? DEFAULT_STREAMS) : DEFAULT_STREAMS;
    return this.active < max;
  }

  attach(s: H2Stream): void {
    this.active++;
    this.requests++;
    this.deadline = 0;
    if (!this.isConnected) this.waiting.push(s);
  }

  detach(s: H2Stream): void {
    this.active--;
    const i = this.waiting.indexOf(s);
    if (i >= 0) this.waiting.splice(i, 1);
    if (this.active > 0 || this.isClosed) return;
    if (!this.isConnected || this.retiring) {
      // Nobody waits for a connection that has not come up (connect timeout), or a retired session.
      this.retiring = true;
      this.session.destroy();
    } else {
      this.deadline = clock.now + this.pool.limits.idleTimeoutMs;
    }
  }

  connected(): void {
    this.isConnected = true;
    clock.now = Date.now();
    const w = this.waiting.splice(0);
    for (const s of w) s.ready();
  }

  retire(): void {
    this.retiring = true;
    if (this.active === 0 && !this.isClosed) this.session.close();
  }

  closed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    sweeper.delete(this);
    this.pool.forget(this);
    poolDebug.log?.('upstream h2 session closed', { upstream: this.pool.key, requests: this.requests, error: this.error?.message ?? null });
    const err = this.error ?? new Error('HTTP/2 session closed');
    for (const s of this.waiting.splice(0)) s.connectFailed(err);
  }

  onTimeout(): void {
    if (this.active === 0 && !this.isClosed) this.session.close();
  }
}

// ───────────────────────────── stream events ──────────────────────────────

function onStreamResponse(this: LinkedStream, headers: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader, flags: number): void {
  this[LINK].response(headers, flags);
}
function onStreamData(this: LinkedStream, chunk: Buffer): void {
  this[LINK].data(chunk);
}
function onStreamTrailers(this: LinkedStream, trailers: http2.IncomingHttpHeaders): void {
  this[LINK].trailers(trailers);
}
function onStreamEnd(this: LinkedStream): void {
  this[LINK].ended();
}
function onStreamDrain(this: LinkedStream): void {
  const l = this[LINK];
  if (l.owner !== null) l.owner.upDrain(l);
}
function onStreamError(this: LinkedStream, err: Error): void {
  this[LINK].err = err;
}
function onStreamClose(this: LinkedStream): void {
  this[LINK].closed();
}
function failLater(s: H2Stream, err: Error): void {
  s.fail(err);
}

const R_NONE = 0;
const R_CHUNKED = 1;

/** One request/response on a pooled session, seen by the exchange as an HTTP/1.1 connection. */
class H2Stream implements UpstreamLink, LinkSocket {
  readonly pool: H2Pool;
  readonly sess: H2Session;
  owner: UpstreamOwner | null;
  stream: LinkedStream | null = null;
  /** The server never processed the stream (REFUSED_STREAM, GOAWAY): safe to repeat. */
  refused = false;
  err: Error | null = null;
  attached = true;
  // Request (HTTP/1.1 bytes in).
  headBuf: Buffer | null = null;
  headDone = false;
  method = '';
  reqChunks: ChunkedScanner | null = null;
  reqLeft = 0;
  writeOk = true;
  paused = false;
  // Response (HTTP/1.1 bytes out).
  respKind = R_NONE;
  respTrailers = '';
  readonly #reqData = (b: Buffer, s: number, e: number): void => {
    if (!this.stream!.write(b.subarray(s, e))) this.writeOk = false;
  };

  constructor(pool: H2Pool, sess: H2Session, owner: UpstreamOwner) {
    this.pool = pool;
    this.sess = sess;
    this.owner = owner;
    sess.attach(this);
  }

  get socket(): LinkSocket {
    return this;
  }

  get connected(): boolean {
    return this.sess.isConnected;
  }

  get reused(): boolean {
    return this.refused;
  }

  get writableNeedDrain(): boolean {
    return this.stream !== null && this.stream.writableNeedDrain;
  }

  cork(): void {}
  uncork(): void {}

  pause(): void {
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    this.paused = false;
    this.stream?.resume();
  }

  end(): void {
    this.stream?.end();
  }

  // ─────────── request: HTTP/1.1 bytes → HTTP/2 stream ───────────

  write(data: Buffer | string): boolean {
    if (this.owner === null) return true;
    let buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (!this.headDone) {
      if (this.headBuf !== null) buf = Buffer.concat([this.headBuf, buf]);
      const idx = buf.indexOf(CRLFCRLF);
      if (idx < 0) {
        this.headBuf = buf;
        return true;
      }
      this.headBuf = null;
      this.headDone = true;
      if (!this.open(buf.latin1Slice(0, idx + 2))) return true;
      buf = buf.subarray(idx + 4);
      if (buf.length === 0) return true;
    }
    return this.body(buf);
  }

  /** Parses the head sluice built (request line, header lines) and opens the HTTP/2 stream. */
  open(head: string): boolean {
    const lineEnd = head.indexOf('\r\n');
    const sp1 = head.indexOf(' ');
    const sp2 = head.lastIndexOf(' ', lineEnd);
    this.method = head.slice(0, sp1);
    const headers: Record<string, string | string[]> = {
      ':method': this.method,
      ':path': head.slice(sp1 + 1, sp2),
      ':scheme': this.pool.tls === null ? 'http' : 'https',
      ':authority': '',
    };
    let chunked = false;
    let length = -1;
    for (let pos = lineEnd + 2; pos < head.length; ) {
      const eol = head.indexOf('\r\n', pos);
      const colon = head.indexOf(':', pos);
      const name = head.slice(pos, colon).toLowerCase();
      const value = head.slice(colon + 1, eol).trim();
      pos = eol + 2;
      if (name === 'host') headers[':authority'] = value;
      else if (name === 'transfer-encoding') chunked = true;
      else if (name === 'content-length') {
        length = Number(value);
        headers[name] = value;
      } else if (!skipRequestField(name)) {
        const prev = headers[name];
        headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
      }
    }
    // gRPC servers require it; harmless for other HTTP/2 servers.
    headers.te = 'trailers';
    if (chunked) {
      const sc = (this.reqChunks = new ChunkedScanner());
      sc.onData = this.#reqData;
    } else {
      this.reqLeft = length > 0 ? length : 0;
    }
    let stream: LinkedStream;
    try {
      stream = this.sess.session.request(headers, { endStream: !chunked && this.reqLeft === 0 }) as LinkedStream;
    } catch (e) {
      // The session went away between acquire and now (GOAWAY, close): nothing reached the pod.
      this.refused = true;
      process.nextTick(failLater, this, e as Error);
      return false;
    }
    stream[LINK] = this;
    stream.on('response', onStreamResponse);
    stream.on('data', onStreamData);
    stream.on('trailers', onStreamTrailers);
    stream.on('end', onStreamEnd);
    stream.on('drain', onStreamDrain);
    stream.on('error', onStreamError);
    stream.on('close', onStreamClose);
    if (this.paused) stream.pause();
    this.stream = stream;
    return true;
  }

  body(buf: Buffer): boolean {
    const stream = this.stream;
    if (stream === null) return true;
    const sc = this.reqChunks;
    if (sc !== null) {
      this.writeOk = true;
      sc.feed(buf, 0, buf.length);
      if (sc.done) stream.end();
      return this.writeOk;
    }
    if (this.reqLeft === 0) return true;
    const take = buf.length <= this.reqLeft ? buf.length : this.reqLeft;
    this.reqLeft -= take;
    const piece = take === buf.length ? buf : buf.subarray(0, take);
    if (this.reqLeft === 0) {
      stream.end(piece);
      return true;
    }
    return stream.write(piece);
  }

  // ─────────── response: HTTP/2 stream → HTTP/1.1 bytes ───────────

  response(headers: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader, flags: number): void {
    const owner = this.owner;
    if (owner === null) return;
    const status = headers[':status'] ?? 502;
    const noBody = this.method === 'HEAD' || status === 204 || status === 304;
    let head = `HTTP/1.1 ${status} ${statusText(status)}\r\n`;
    for (const name in headers) {
      if (name.charCodeAt(0) === 58 || skipRequestField(name)) continue;
      if (name === 'content-length' && !noBody) continue;
      const v = headers[name];
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) head += `${name}: ${x}\r\n`;
      else head += `${name}: ${v}\r\n`;
    }
    if (noBody) this.respKind = R_NONE;
    else if ((flags & NGHTTP2_FLAG_END_STREAM) !== 0) {
      // Headers only (a gRPC "trailers-only" answer): an empty body, so the client gets one HEADERS frame too.
      head += 'content-length: 0\r\n';
      this.respKind = R_NONE;
    } else {
      head += 'transfer-encoding: chunked\r\n';
      this.respKind = R_CHUNKED;
    }
    owner.upData(this, Buffer.from(head + '\r\n', 'latin1'));
  }

  data(chunk: Buffer): void {
    const owner = this.owner;
    if (owner === null || this.respKind !== R_CHUNKED || chunk.length === 0) return;
    owner.upData(this, chunkFrame(chunk));
  }

  trailers(t: http2.IncomingHttpHeaders): void {
    let s = '';
    for (const name in t) {
      if (name.charCodeAt(0) === 58 || skipRequestField(name)) continue;
      const v = t[name];
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) s += `${name}: ${x}\r\n`;
      else s += `${name}: ${v}\r\n`;
    }
    this.respTrailers = s;
  }

  ended(): void {
    const owner = this.owner;
    if (owner === null || this.respKind !== R_CHUNKED) return;
    this.respKind = R_NONE;
    owner.upData(this, Buffer.from(`0\r\n${this.respTrailers}\r\n`, 'latin1'));
  }

  // ─────────────────────────── endings ───────────────────────────

  /** The session came up: the exchange may write its request. */
  ready(): void {
    if (this.owner !== null) this.owner.upConnected(this);
  }

  connectFailed(err: Error): void {
    this.fail(err);
  }

  /** Reports a failure to the exchange (which decides about retries) and lets go of the session. */
  fail(err: Error): void {
    const owner = this.owner;
    this.owner = null;
    this.leave();
    if (owner !== null) {
      this.pool.active--;
      owner.upClosed(this, err);
    }
  }

  closed(): void {
    const s = this.stream!;
    if (this.owner !== null) {
      // Closed before the response was complete.
      const code = s.rstCode ?? 0;
      if (code === NGHTTP2_REFUSED_STREAM || (this.err as NodeJS.ErrnoException | null)?.code === 'ERR_HTTP2_GOAWAY_SESSION') this.refused = true;
      this.fail(this.err ?? new Error(code !== 0 ? `stream reset by the upstream (HTTP/2 error code ${code})` : 'stream closed by the upstream'));
      return;
    }
    this.leave();
  }

  /** The exchange is over (release) or abandoned (discard). */
  finish(cancel: boolean): void {
    this.owner = null;
    const s = this.stream;
    if (cancel && s !== null && !s.closed) s.close(NGHTTP2_CANCEL);
    if (s === null || s.closed || cancel) this.leave();
  }

  leave(): void {
    if (!this.attached) return;
    this.attached = false;
    this.sess.detach(this);
  }
}

export class H2Pool implements LinkPool {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly tls: TlsUpstreamOptions | null;
  limits: PoolLimits;
  refs = 0;
  retired = false;
  /** Streams currently serving an exchange. */
  active = 0;
  /** Sessions opened over the pool's life (tests, metrics). */
  opened = 0;
  readonly sessions: H2Session[] = [];

  constructor(key: string, address: string, port: number, tlsOpts: TlsUpstreamOptions | null, limits: PoolLimits) {
    this.key = key;
    this.address = address;
    this.port = port;
    this.tls = tlsOpts;
    this.limits = limits;
  }

  acquire(owner: UpstreamOwner): UpstreamLink {
    let sess: H2Session | null = null;
    for (let i = 0; i < this.sessions.length; i++) {
      const s = this.sessions[i]!;
      if (s.hasRoom()) {
        sess = s;
        break;
      }
    }
    if (sess === null) {
      sess = new H2Session(this);
      this.sessions.push(sess);
      this.opened++;
    }
    this.active++;
    return new H2Stream(this, sess, owner);
  }

  release(c: UpstreamLink): void {
    this.active--;
    (c as H2Stream).finish(false);
  }

  discard(c: UpstreamLink, why = ''): void {
    const s = c as H2Stream;
    if (s.owner !== null) this.active--;
    poolDebug.log?.('upstream h2 stream discarded', { upstream: this.key, why });
    s.finish(true);
  }

  forget(s: H2Session): void {
    const i = this.sessions.indexOf(s);
    if (i >= 0) this.sessions.splice(i, 1);
  }

  retire(): void {
    this.retired = true;
    for (const s of [...this.sessions]) s.retire();
  }
}
