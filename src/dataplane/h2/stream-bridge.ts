// One HTTP/2 stream presented to Http1Connection as if it were a socket carrying one HTTP/1.1
// exchange, so every proxy rule (routing, policies, retries, timeouts, limits, error pages,
// metrics, access log, forwarded headers) runs unchanged for HTTP/2 clients:
//
//   h2 HEADERS/DATA ──translate──▶ HTTP/1.1 request bytes ──▶ Http1Connection ──▶ upstream
//   h2 HEADERS/DATA/trailers ◀──parse── HTTP/1.1 response bytes ◀── Http1Connection ◀──┘
//
// The object implements the handful of net.Socket members Http1Connection uses. Listeners on
// the Node stream are shared module functions (the bridge hangs off the stream), so a stream
// costs no closures. When an exchange ends cleanly, the bridge and its Http1Connection (idle in
// keep-alive state) are parked on the session and carry its next stream: no per-stream parser,
// scanner or typed-array allocation.

import http2 from 'node:http2';
import type { Socket } from 'node:net';
import { ChunkedScanner, chunkFrame } from '../http1/chunked.ts';
import { Http1Connection } from '../http1/connection.ts';
import { parseResponseHead, ResponseHead, RESP_BODY_CHUNKED, RESP_BODY_CLOSE, RESP_BODY_LENGTH, RESP_BODY_NONE } from '../http1/response-head.ts';
import { isConnectionSpecific, parseFieldLines } from './fields.ts';
import type { H2Request } from './request.ts';
import type { ProxyInfo } from '../proxy-protocol/parse.ts';

const { NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR } = http2.constants;

/** Response parsing state. */
const R_HEAD = 0;
const R_LENGTH = 1;
const R_CHUNKED = 2;
const R_CLOSE = 3;
const R_DONE = 4;

/** What the session needs from a bridge. */
export interface BridgeOwner {
  readonly ctx: Http1Connection['ctx'];
  readonly secure: boolean;
  readonly remoteAddress: string;
  readonly localPort: number;
  /** PROXY protocol header of the connection, or null. */
  readonly proxy: ProxyInfo | null;
  /** The stream's exchange is over; `clientReset`: the peer (or nghttp2 on its behalf) reset it mid-exchange. */
  streamClosed(clientReset: boolean): void;
  /** Keeps an idle bridge for the next stream; false when the session takes no more. */
  park(b: StreamBridge): boolean;
  /** A parked bridge is closing. */
  unpark(b: StreamBridge): void;
}

const BRIDGE = Symbol('sluice.h2.bridge');
type BridgedStream = http2.ServerHttp2Stream & { [BRIDGE]: StreamBridge | null };

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
/** Parsed once per response head and consumed at once: one instance serves every bridge. */
const scratch = new ResponseHead();

// A stream whose exchange is over (bridge released) has BRIDGE = null: its late events are ignored.
function onStreamData(this: BridgedStream, chunk: Buffer): void {
  this[BRIDGE]?.requestData(chunk);
}
function onStreamEnd(this: BridgedStream): void {
  this[BRIDGE]?.requestEnd();
}
function onStreamDrain(this: BridgedStream): void {
  this[BRIDGE]?.drained();
}
function onStreamClose(this: BridgedStream): void {
  this[BRIDGE]?.streamClosed();
}
function onWantTrailers(this: BridgedStream): void {
  this[BRIDGE]?.sendTrailers();
}
function ignore(): void {
  /* stream errors are followed by 'close', which does the accounting */
}
function releaseLater(b: StreamBridge, s: BridgedStream): void {
  b.release(s);
}

/** gRPC's percent-encoding of grpc-message (printable ASCII except "%" stays as is). */
function grpcMessage(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

export class StreamBridge {
  /** The stream being served; null while parked. */
  stream: BridgedStream | null = null;
  readonly owner: BridgeOwner;
  readonly conn: Http1Connection;
  method = '';
  chunkedIn = false;
  /** The request (head and body) has been read completely. */
  reqDone = false;
  /** Waiting for the stream's 'wantTrailers' before the exchange is over. */
  trailersPending = false;
  // The net.Socket members Http1Connection reads.
  readonly remoteAddress: string;
  readonly localPort: number;
  readonly writableNeedDrain = false;
  destroyed = false;

  rstate = R_HEAD;
  headBuf: Buffer | null = null;
  left = 0;
  scanner: ChunkedScanner | null = null;
  writeOk = true;
  /** The response is gRPC: failures after its head end it with grpc-status trailers. */
  grpc = false;
  /** Trailers to send when the stream asks for them (flat name/value list). */
  trailers: string[] | null = null;
  /** Http1Connection has been told the socket closed: the bridge is finished for good. */
  detached = false;
  parked = false;
  /** sluice reset the stream itself (not counted against the client). */
  selfReset = false;

  #onData: ((b: Buffer) => void) | null = null;
  #onClose: (() => void) | null = null;
  #onDrain: (() => void) | null = null;
  /** The 'drain' listener is on the stream. */
  drainWatched = false;
  readonly #chunkData = (b: Buffer, s: number, e: number): void => {
    if (!this.stream!.write(b.subarray(s, e))) this.writeOk = false;
  };

  constructor(owner: BridgeOwner) {
    this.owner = owner;
    this.remoteAddress = owner.remoteAddress;
    this.localPort = owner.localPort;
    const conn = new Http1Connection(this as unknown as Socket, owner.ctx, owner.secure);
    conn.httpVersion = 'HTTP/2.0';
    conn.proxy = owner.proxy;
    this.conn = conn;
  }

  /** Serves one stream: the translated head goes to Http1Connection as if read from a socket. */
  bind(stream: http2.ServerHttp2Stream, req: H2Request): void {
    const s = stream as BridgedStream;
    s[BRIDGE] = this;
    this.stream = s;
    this.parked = false;
    this.method = req.method;
    this.chunkedIn = req.chunked;
    this.reqDone = req.endStream;
    this.trailersPending = false;
    this.rstate = R_HEAD;
    this.headBuf = null;
    this.left = 0;
    this.writeOk = true;
    this.grpc = false;
    this.trailers = null;
    this.selfReset = false;
    this.drainWatched = false;
    // Listeners cost even when they never fire: body listeners only when a body comes, 'drain'
    // when a write first reports backpressure, 'wantTrailers' for chunked responses.
    if (!req.endStream) {
      s.on('data', onStreamData);
      s.on('end', onStreamEnd);
    }
    s.on('close', onStreamClose);
    s.on('error', ignore);
    this.#onData!(Buffer.from(req.head, 'latin1'));
  }

  // ───────────────────── socket surface for Http1Connection ─────────────────────

  on(event: string, fn: (...args: never[]) => void): this {
    switch (event) {
      case 'data':
        this.#onData = fn as (b: Buffer) => void;
        break;
      case 'close':
        this.#onClose = fn as () => void;
        break;
      case 'drain':
        this.#onDrain = fn as () => void;
        break;
      // 'end' never comes: the end of an h2 request body is the end of the framing, not of a connection.
    }
    return this;
  }

  setNoDelay(): void {}

  cork(): void {
    this.stream?.cork();
  }

  uncork(): void {
    this.stream?.uncork();
  }

  pause(): void {
    this.stream?.pause();
  }

  resume(): void {
    this.stream?.resume();
  }

  /** HTTP/1.1 response bytes from Http1Connection. */
  write(data: Buffer | string): boolean {
    if (this.rstate === R_DONE || this.stream === null) return true;
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (this.rstate === R_HEAD) return this.headInput(buf);
    return this.bodyInput(buf);
  }

  /** Http1Connection is done with the "connection". */
  end(): void {
    const s = this.stream;
    if (s === null) return;
    if (this.rstate === R_CLOSE) {
      // Body delimited by the upstream closing: its end is the end of the stream.
      s.end();
      this.finished();
    } else if (this.rstate === R_HEAD) {
      this.resetStream();
    }
  }

  /** Http1Connection aborts: truncate the response so the client sees the failure. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const s = this.stream;
    if (s === null) {
      // Parked (keep-alive timeout) or released: the bridge is finished.
      if (this.parked) this.owner.unpark(this);
      this.detach();
      return;
    }
    if (this.rstate !== R_DONE && !s.closed) {
      if (this.grpc && this.rstate === R_CHUNKED) {
        // A gRPC client reads a status, not a reset: end with trailers that say what happened.
        const c = this.conn;
        // DEADLINE_EXCEEDED for a proxy timeout, RESOURCE_EXHAUSTED for a body over proxy-body-size, else UNAVAILABLE.
        const code = c.brokenByTimeout ? '4' : c.brokenByLimit ? '8' : '14';
        this.trailers = ['grpc-status', code, 'grpc-message', grpcMessage(c.brokenWhy || 'upstream failed')];
        this.rstate = R_DONE;
        this.trailersPending = true;
        s.end();
        return;
      }
      this.resetStream();
    } else if (!this.trailersPending) {
      this.scheduleRelease();
    }
  }

  // ───────────────────────────── request side ─────────────────────────────

  requestData(chunk: Buffer): void {
    if (this.detached || chunk.length === 0) return;
    if (!this.chunkedIn) {
      this.#onData!(chunk);
      return;
    }
    this.#onData!(chunkFrame(chunk));
  }

  requestEnd(): void {
    this.reqDone = true;
    if (!this.detached && this.chunkedIn) this.#onData!(LAST_CHUNK);
  }

  drained(): void {
    if (!this.detached) this.#onDrain?.();
  }

  // ──────────────────────────── response side ─────────────────────────────

  headInput(data: Buffer): boolean {
    let buf = this.headBuf === null ? data : Buffer.concat([this.headBuf, data]);
    for (;;) {
      const idx = buf.indexOf(CRLFCRLF);
      if (idx < 0) {
        this.headBuf = buf;
        return true;
      }
      const head = buf.latin1Slice(0, idx + 2);
      const rest = buf.subarray(idx + 4);
      this.headBuf = null;
      if (!parseResponseHead(head, scratch, this.method)) {
        // Http1Connection only forwards heads it parsed itself; this cannot happen.
        this.resetStream();
        this.rstate = R_DONE;
        return true;
      }
      if (scratch.status < 200) {
        const s = this.stream!;
        if (scratch.status === 100 && !s.headersSent) s.additionalHeaders({ ':status': 100 });
        if (rest.length === 0) return true;
        buf = rest;
        continue;
      }
      this.respond(head);
      if (rest.length > 0 && this.rstate !== R_DONE) return this.bodyInput(rest);
      return true;
    }
  }

  respond(head: string): void {
    const res = scratch;
    const h: string[] = [':status', String(res.status)];
    const hdrs = res.headers;
    for (let i = 0; i < hdrs.count; i++) {
      if (hdrs.drop[i] === 1) continue;
      const name = hdrs.name(head, i).toLowerCase();
      if (isConnectionSpecific(name)) continue;
      const value = hdrs.value(head, i);
      if (name === 'content-type' && value.startsWith('application/grpc')) this.grpc = true;
      h.push(name, value);
    }
    let endStream = false;
    let waitForTrailers = false;
    switch (res.bodyKind) {
      case RESP_BODY_NONE:
        endStream = true;
        this.rstate = R_DONE;
        break;
      case RESP_BODY_LENGTH:
        this.left = res.contentLength;
        this.rstate = R_LENGTH;
        break;
      case RESP_BODY_CHUNKED: {
        // Chunked bodies may end with trailers (gRPC status); ask for the chance to send them.
        waitForTrailers = true;
        this.stream!.on('wantTrailers', onWantTrailers);
        let sc = this.scanner;
        if (sc === null) {
          sc = this.scanner = new ChunkedScanner();
          sc.onData = this.#chunkData;
          sc.trailers = '';
        }
        sc.reset();
        this.rstate = R_CHUNKED;
        break;
      }
      case RESP_BODY_CLOSE:
        this.rstate = R_CLOSE;
        break;
    }
    try {
      this.stream!.respond(h as unknown as http2.OutgoingHttpHeaders, { endStream, waitForTrailers });
    } catch {
      // A field Node refuses on HTTP/2 (it validates names and values): the response cannot be sent.
      this.resetStream();
      this.rstate = R_DONE;
      return;
    }
    if (endStream) this.finished();
  }

  bodyInput(buf: Buffer): boolean {
    const stream = this.stream!;
    switch (this.rstate) {
      case R_LENGTH: {
        const take = buf.length <= this.left ? buf.length : this.left;
        this.left -= take;
        const piece = take === buf.length ? buf : buf.subarray(0, take);
        if (this.left === 0) {
          stream.end(piece);
          this.finished();
          return true;
        }
        return this.watchDrain(stream.write(piece));
      }
      case R_CHUNKED: {
        const sc = this.scanner!;
        this.writeOk = true;
        if (sc.feed(buf, 0, buf.length) < 0) {
          this.resetStream();
          this.rstate = R_DONE;
          return true;
        }
        if (sc.done) {
          if (sc.trailers !== null && sc.trailers !== '') this.trailers = parseFieldLines(sc.trailers, []);
          // The exchange ends when the trailers went out (the stream asks for them after the data).
          this.rstate = R_DONE;
          this.trailersPending = true;
          stream.end();
          return true;
        }
        return this.watchDrain(this.writeOk);
      }
      case R_CLOSE:
        return this.watchDrain(stream.write(buf));
      default:
        return true;
    }
  }

  /** Starts listening for 'drain' the first time a write reports backpressure. */
  watchDrain(ok: boolean): boolean {
    if (!ok && !this.drainWatched) {
      this.drainWatched = true;
      this.stream!.on('drain', onStreamDrain);
    }
    return ok;
  }

  sendTrailers(): void {
    const s = this.stream!;
    const t = this.trailers;
    const obj: Record<string, string | string[]> = {};
    if (t !== null) {
      for (let i = 0; i + 1 < t.length; i += 2) {
        const prev = obj[t[i]!];
        obj[t[i]!] = prev === undefined ? t[i + 1]! : Array.isArray(prev) ? [...prev, t[i + 1]!] : [prev, t[i + 1]!];
      }
    }
    try {
      // Empty trailers: Node ends the stream with an empty DATA frame instead.
      s.sendTrailers(obj);
    } catch {
      this.resetStream();
      return;
    }
    this.trailersPending = false;
    this.scheduleRelease();
  }

  // ─────────────────────────────── endings ────────────────────────────────

  /** The whole response was handed to the stream. */
  finished(): void {
    this.rstate = R_DONE;
    this.scheduleRelease();
  }

  resetStream(): void {
    this.selfReset = true;
    const s = this.stream;
    if (s !== null && !s.closed) s.close(NGHTTP2_INTERNAL_ERROR);
  }

  /**
   * Ends the exchange after Http1Connection's current call has returned (it finishes the exchange
   * — record, keep-alive decision — right after the write that completed it).
   */
  scheduleRelease(): void {
    if (this.stream !== null) process.nextTick(releaseLater, this, this.stream);
  }

  /** The exchange on `s` is over: park the bridge for the next stream, or finish it. */
  release(s: BridgedStream): void {
    if (this.stream !== s) return;
    s[BRIDGE] = null;
    this.stream = null;
    this.owner.streamClosed(false);
    // Reusable only after a clean exchange: the request fully read and Http1Connection idle in
    // keep-alive state (it lingers or closes otherwise, e.g. after an early answer to a body).
    if (!this.destroyed && this.reqDone && this.conn.idle && this.conn.keepAlive && this.owner.park(this)) {
      this.parked = true;
      return;
    }
    this.detach();
  }

  /** Tells Http1Connection the "socket" closed; the bridge is finished. */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.destroyed = true;
    this.#onClose?.();
  }

  /** The stream closed while its exchange was running (reset, or closed before the release). */
  streamClosed(): void {
    const s = this.stream!;
    const code = s.rstCode ?? NGHTTP2_NO_ERROR;
    s[BRIDGE] = null;
    this.stream = null;
    this.owner.streamClosed(!this.selfReset && code !== NGHTTP2_NO_ERROR && this.rstate !== R_DONE);
    this.detach();
  }
}
