// One HTTP/2 stream presented to Http1Connection as if it were a socket carrying one HTTP/1.1
// exchange, so every proxy rule (routing, policies, retries, timeouts, limits, error pages,
// metrics, access log, forwarded headers) runs unchanged for HTTP/2 clients:
//
//   h2 HEADERS/DATA ──translate──▶ HTTP/1.1 request bytes ──▶ Http1Connection ──▶ upstream
//   h2 HEADERS/DATA/trailers ◀──parse── HTTP/1.1 response bytes ◀── Http1Connection ◀──┘
//
// The object implements the handful of net.Socket members Http1Connection uses. Listeners on
// the Node stream are shared module functions (the bridge hangs off the stream), so a stream
// costs two objects and no closures.

import http2 from 'node:http2';
import type { Socket } from 'node:net';
import { ChunkedScanner } from '../http1/chunked.ts';
import { Http1Connection } from '../http1/connection.ts';
import { parseResponseHead, ResponseHead, RESP_BODY_CHUNKED, RESP_BODY_CLOSE, RESP_BODY_LENGTH, RESP_BODY_NONE } from '../http1/response-head.ts';
import { isConnectionSpecific, parseFieldLines } from './fields.ts';
import type { H2Request } from './request.ts';

const { NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR } = http2.constants;

/** Response parsing state. */
const R_HEAD = 0;
const R_LENGTH = 1;
const R_CHUNKED = 2;
const R_CLOSE = 3;
const R_DONE = 4;

/** What the session needs from a bridge's end. */
export interface BridgeOwner {
  readonly ctx: Http1Connection['ctx'];
  readonly secure: boolean;
  readonly remoteAddress: string;
  readonly localPort: number;
  /** The stream closed; `clientReset`: the peer (or nghttp2 on its behalf) reset it mid-exchange. */
  streamClosed(clientReset: boolean): void;
}

const BRIDGE = Symbol('sluice.h2.bridge');
type BridgedStream = http2.ServerHttp2Stream & { [BRIDGE]: StreamBridge };

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
/** Parsed once per response head and consumed at once: one instance serves every bridge. */
const scratch = new ResponseHead();

function onStreamData(this: BridgedStream, chunk: Buffer): void {
  this[BRIDGE].requestData(chunk);
}
function onStreamEnd(this: BridgedStream): void {
  this[BRIDGE].requestEnd();
}
function onStreamDrain(this: BridgedStream): void {
  this[BRIDGE].drained();
}
function onStreamClose(this: BridgedStream): void {
  this[BRIDGE].streamClosed();
}
function onWantTrailers(this: BridgedStream): void {
  this[BRIDGE].sendTrailers();
}
function ignore(): void {
  /* stream errors are followed by 'close', which does the accounting */
}
function detachLater(b: StreamBridge): void {
  b.detach();
}

/** gRPC's percent-encoding of grpc-message (printable ASCII except "%" stays as is). */
function grpcMessage(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

export class StreamBridge {
  readonly stream: BridgedStream;
  readonly owner: BridgeOwner;
  readonly conn: Http1Connection;
  readonly method: string;
  readonly chunkedIn: boolean;
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
  /** Http1Connection has been told the socket closed. */
  detached = false;
  /** sluice reset the stream itself (not counted against the client). */
  selfReset = false;

  #onData: ((b: Buffer) => void) | null = null;
  #onClose: (() => void) | null = null;
  #onDrain: (() => void) | null = null;
  /** The 'drain' listener is on the stream. */
  drainWatched = false;
  readonly #chunkData = (b: Buffer, s: number, e: number): void => {
    if (!this.stream.write(b.subarray(s, e))) this.writeOk = false;
  };

  constructor(stream: http2.ServerHttp2Stream, owner: BridgeOwner, req: H2Request) {
    const s = stream as BridgedStream;
    s[BRIDGE] = this;
    this.stream = s;
    this.owner = owner;
    this.method = req.method;
    this.chunkedIn = req.chunked;
    this.remoteAddress = owner.remoteAddress;
    this.localPort = owner.localPort;
    // Listeners cost even when they never fire: body listeners only when a body comes, 'drain'
    // when a write first reports backpressure, 'wantTrailers' for chunked responses.
    if (!req.endStream) {
      s.on('data', onStreamData);
      s.on('end', onStreamEnd);
    }
    s.on('close', onStreamClose);
    s.on('error', ignore);
    const conn = new Http1Connection(this as unknown as Socket, owner.ctx, owner.secure);
    conn.httpVersion = 'HTTP/2.0';
    this.conn = conn;
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
    this.stream.cork();
  }

  uncork(): void {
    this.stream.uncork();
  }

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  /** HTTP/1.1 response bytes from Http1Connection. */
  write(data: Buffer | string): boolean {
    if (this.rstate === R_DONE || this.detached) return true;
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (this.rstate === R_HEAD) return this.headInput(buf);
    return this.bodyInput(buf);
  }

  /** Http1Connection is done with the "connection". */
  end(): void {
    if (this.rstate === R_CLOSE) {
      // Body delimited by the upstream closing: its end is the end of the stream.
      this.stream.end();
      this.finished();
    } else if (this.rstate === R_HEAD) {
      this.resetStream();
      this.scheduleDetach();
    }
  }

  /** Http1Connection aborts: truncate the response so the client sees the failure. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.rstate !== R_DONE && !this.stream.closed) {
      if (this.grpc && this.rstate === R_CHUNKED) {
        // A gRPC client reads a status, not a reset: end with trailers that say what happened.
        const c = this.conn;
        this.trailers = ['grpc-status', c.brokenByTimeout ? '4' : '14', 'grpc-message', grpcMessage(c.brokenWhy || 'upstream failed')];
        this.rstate = R_DONE;
        this.stream.end();
      } else {
        this.resetStream();
      }
    }
    this.scheduleDetach();
  }

  // ───────────────────────────── request side ─────────────────────────────

  requestData(chunk: Buffer): void {
    if (this.detached || chunk.length === 0) return;
    if (!this.chunkedIn) {
      this.#onData!(chunk);
      return;
    }
    const hex = chunk.length.toString(16);
    const b = Buffer.allocUnsafe(hex.length + chunk.length + 4);
    b.write(hex, 0, 'latin1');
    b[hex.length] = 13;
    b[hex.length + 1] = 10;
    chunk.copy(b, hex.length + 2);
    b[b.length - 2] = 13;
    b[b.length - 1] = 10;
    this.#onData!(b);
  }

  requestEnd(): void {
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
        if (scratch.status === 100 && !this.stream.headersSent) this.stream.additionalHeaders({ ':status': 100 });
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
        this.stream.on('wantTrailers', onWantTrailers);
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
      this.stream.respond(h as unknown as http2.OutgoingHttpHeaders, { endStream, waitForTrailers });
    } catch {
      // A field Node refuses on HTTP/2 (it validates names and values): the response cannot be sent.
      this.resetStream();
      this.rstate = R_DONE;
      this.scheduleDetach();
      return;
    }
    if (endStream) this.finished();
  }

  bodyInput(buf: Buffer): boolean {
    switch (this.rstate) {
      case R_LENGTH: {
        const take = buf.length <= this.left ? buf.length : this.left;
        this.left -= take;
        const piece = take === buf.length ? buf : buf.subarray(0, take);
        if (this.left === 0) {
          this.stream.end(piece);
          this.finished();
          return true;
        }
        return this.watchDrain(this.stream.write(piece));
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
          this.stream.end();
          this.finished();
          return true;
        }
        return this.watchDrain(this.writeOk);
      }
      case R_CLOSE:
        return this.watchDrain(this.stream.write(buf));
      default:
        return true;
    }
  }

  /** Starts listening for 'drain' the first time a write reports backpressure. */
  watchDrain(ok: boolean): boolean {
    if (!ok && !this.drainWatched) {
      this.drainWatched = true;
      this.stream.on('drain', onStreamDrain);
    }
    return ok;
  }

  sendTrailers(): void {
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
      this.stream.sendTrailers(obj);
    } catch {
      this.resetStream();
    }
  }

  // ─────────────────────────────── endings ────────────────────────────────

  /** The whole response was handed to the stream. */
  finished(): void {
    this.rstate = R_DONE;
    this.scheduleDetach();
  }

  resetStream(): void {
    this.selfReset = true;
    if (!this.stream.closed) this.stream.close(NGHTTP2_INTERNAL_ERROR);
  }

  /**
   * Tells Http1Connection the "socket" closed, after its current call has returned (it finishes
   * the exchange — record, keep-alive decision — right after the write that completed it).
   */
  scheduleDetach(): void {
    if (!this.detached) process.nextTick(detachLater, this);
  }

  detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.destroyed = true;
    this.#onClose?.();
  }

  streamClosed(): void {
    const code = this.stream.rstCode ?? NGHTTP2_NO_ERROR;
    this.owner.streamClosed(!this.selfReset && code !== NGHTTP2_NO_ERROR && this.rstate !== R_DONE);
    this.detach();
  }
}
