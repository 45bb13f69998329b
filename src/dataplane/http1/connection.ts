// One downstream HTTP/1.1 connection and the exchange in progress on it. A state machine driven
// by socket events (listeners registered once per socket, no per-request closures or promises):
//
//   HEAD ──request head──▶ REQUEST ──response done──▶ HEAD (keep-alive) / closed
//                               └──101 Switching Protocols──▶ TUNNEL
//
// Bodies are relayed verbatim in both directions (Content-Length counted, chunked framing
// scanned), with backpressure: a side that cannot write pauses the side that reads.

import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { clock, sweeper, type Timed } from '../clock.ts';
import { emptyExchangeRecord, type ConnContext, type ExchangeRecord } from '../context.ts';
import type { Router, Target } from '../router.ts';
import { newRequestId } from '../request-id.ts';
import type { ProxyPolicy } from '../../compile/policy.ts';
import type { BackendRuntime, EndpointRuntime } from '../upstream/backends.ts';
import type { LinkSocket, UpstreamLink as UpstreamConn, UpstreamOwner } from '../upstream/link.ts';
import { PREFACE_FULL, PREFACE_PARTIAL, prefaceState } from '../h2/preface.ts';
import { ChunkedScanner } from './chunked.ts';
import { BODY_CHUNKED, BODY_LENGTH, BODY_NONE, isIdempotent, parseRequestHead, RequestHead } from './request-head.ts';
import { parseResponseHead, ResponseHead, RESP_BODY_CHUNKED, RESP_BODY_CLOSE, RESP_BODY_LENGTH, RESP_BODY_NONE } from './response-head.ts';
import { errorBody, generatedHead } from './responses.ts';
import { errorPageHead } from './error-page.ts';
import { Decision } from '../policy/decision.ts';
import { runSteps } from '../policy/pipeline.ts';
import { ASYNC, CONTINUE, RESPOND, type PolicyHost, type RequestView } from '../policy/request-view.ts';
import type { ProxyInfo } from '../proxy-protocol/parse.ts';
import { addHeaderApplies } from '../policy/decision.ts';

const ST_HEAD = 0;
const ST_REQUEST = 1;
const ST_TUNNEL = 2;
const ST_CLOSED = 3;

const TO_NONE = 0;
const TO_HEADER = 1;
const TO_KEEPALIVE = 2;
const TO_BODY = 3;
const TO_CONNECT = 4;
const TO_READ = 5;
const TO_SEND = 6;
const TO_CLIENT_SEND = 7;
const TO_TUNNEL = 8;
const TO_LINGER = 9;

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
/** Pipelined or early bytes buffered before reading pauses. */
const MAX_BUFFERED = 64 * 1024;
/**
 * A streamed request body (proxy-request-buffering off) up to this size is kept after it was
 * sent, so a keep-alive race (a reused upstream connection closed under us) can resend it.
 */
const RETAIN_LIMIT = 64 * 1024;
const LINGER_MS = 5000;
/**
 * proxy-request-buffering "on": request bodies are held in memory (sluice never writes them to
 * disk) up to max(client-body-buffer-size, this) before the upstream is contacted.
 */
const REQUEST_HOLD_LIMIT = 8 * 1024 * 1024;
/** proxy-buffering "on": response bytes read from the upstream ahead of a slow client (memory). */
const RESPONSE_READ_AHEAD = 8 * 1024 * 1024;
/** Head and body are merged into one write below this body size. */
const MERGE_WRITE_LIMIT = 16 * 1024;

const FAIL_CONNECT = 1;
const FAIL_RESET = 2;
const FAIL_TIMEOUT = 3;
const FAIL_INVALID = 4;
const FAIL_STATUS = 5;

/**
 * Below this body size head and body go out as one latin1 string: Node writes a short string
 * from stack storage straight to the socket, with no buffer to allocate, pin and free (latin1
 * maps every byte to one character and back, so the body is sent unchanged).
 */
const MERGE_STRING_LIMIT = 1024;

function writeMerged(socket: LinkSocket, head: string, body: Buffer | null): boolean {
  if (body === null || body.length === 0) return socket.write(head, 'latin1');
  if (body.length <= MERGE_STRING_LIMIT) return socket.write(head + body.latin1Slice(0, body.length), 'latin1');
  if (body.length <= MERGE_WRITE_LIMIT) {
    const b = Buffer.allocUnsafe(head.length + body.length);
    b.write(head, 0, 'latin1');
    body.copy(b, head.length);
    return socket.write(b);
  }
  socket.cork();
  socket.write(head, 'latin1');
  const ok = socket.write(body);
  socket.uncork();
  return ok;
}

export class Http1Connection implements Timed, UpstreamOwner, RequestView, PolicyHost {
  readonly socket: Socket;
  readonly ctx: ConnContext;
  readonly secure: boolean;
  readonly peerIp: string;
  readonly localPort: number;
  state = ST_HEAD;
  deadline = 0;
  timeout = TO_NONE;
  /** Unconsumed input (partial head, or pipelined bytes). */
  buf: Buffer | null = null;
  readonly req = new RequestHead();
  readonly res = new ResponseHead();
  requests = 0;
  clientEnded = false;
  paused = false;
  inHeadLoop = false;
  /** Keep the connection after this exchange. */
  keepAlive = true;

  // Exchange state (reset per request).
  router: Router | null = null;
  target: Target | null = null;
  /** Backend this exchange is sent to: the route's, a policy's (default-backend), or the error backend. */
  upBackend: BackendRuntime | null = null;
  /** custom-http-errors: the intercepted upstream status while the error backend answers, else 0. */
  errorPage = 0;
  up: UpstreamConn | null = null;
  endpoint: EndpointRuntime | null = null;
  readonly tried: EndpointRuntime[] = [];
  attempts = 0;
  retryDeadline = 0;
  requestId = '';
  clientIp = '';
  scheme: 'http' | 'https' = 'http';
  startMs = 0;
  startPerf = 0;
  upStartPerf = 0;
  upstreamDuration = 0;
  upHead = '';
  upHeadSent = false;
  upBytesSent = 0;
  reqBodyDone = true;
  bodyLeft = 0;
  readonly reqChunk = new ChunkedScanner();
  reqBytes = 0;
  bodyQueue: Buffer[] = [];
  queueSent = 0;
  queueBytes = 0;
  bodyRetained = true;
  /** Sent body bytes were dropped (not retained): the request can no longer be resent. */
  bodyDropped = false;
  /** proxy-request-buffering: the body is being read before the upstream is contacted. */
  holdingBody = false;
  holdLimit = 0;
  /** HTTP/1.0 upstream and a chunked request body: the body is decoded and sent with Content-Length. */
  decodeBody = false;
  /** proxy-buffering: bytes the client socket may hold before the upstream is paused. */
  readAhead = 0;
  respHeadDone = false;
  respBuf: Buffer | null = null;
  respKind = RESP_BODY_NONE;
  respLeft = 0;
  readonly respChunk = new ChunkedScanner();
  respDecode = false;
  respBytes = 0;
  respClose = false;
  status = 0;
  upstreamStatus = 0;
  upstreamAddr = '';
  /** Extra response header lines added by policies (HSTS, CORS...). */
  respExtra = '';
  /** Policy response header lines for success statuses only (nginx add_header without "always"). */
  respExtraOk = '';
  // Client address (see ../real-ip.ts). `proxy` is set once, before the first byte is read.
  /** PROXY protocol header of this connection (use-proxy-protocol), or null. */
  proxy: ProxyInfo | null = null;
  /** Address appended to X-Forwarded-For: the TCP peer, or the PROXY protocol source. */
  hopIp = '';
  /** Scheme passed upstream in X-Forwarded-Proto ($pass_access_scheme). */
  forwardedProto = '';
  /** Host passed upstream when forwarded headers replace Host ('' = Host). */
  forwardedHost = '';
  /** X-Forwarded-Port value ('' = the listener's port). */
  forwardedPort = '';
  error = '';
  upPaused = false;
  readonly decision = new Decision();
  /** Protocol the client spoke, for the access log, when not this connection's HTTP/1.x (HTTP/2 streams). */
  httpVersion: string | null = null;
  /** Why the last response was cut short (kept past the exchange reset: the HTTP/2 bridge reports it). */
  brokenWhy = '';
  brokenByTimeout = false;
  /** ... because the request broke a limit (body size) rather than the upstream failing. */
  brokenByLimit = false;

  // RequestView for policy steps.
  get method(): string {
    return this.req.method;
  }
  get host(): string {
    return this.req.host;
  }
  get hostname(): string {
    return this.req.hostname;
  }
  get path(): string {
    return this.req.path;
  }
  get rawPath(): string {
    return this.req.rawPath;
  }
  get query(): string {
    return this.req.query;
  }
  get serverPort(): number {
    return this.localPort;
  }
  /** The X-Forwarded-For value sent upstream (and to external auth). */
  get forwardedFor(): string {
    const xff = this.req.xForwardedFor;
    return xff !== '' && this.ctx.cfg['compute-full-forwarded-for'] ? `${xff}, ${this.hopIp}` : this.clientIp;
  }
  get httpsPort(): number {
    return this.ctx.httpsPort;
  }
  header(lowerName: string): string | null {
    return this.req.headers.get(this.req.head, lowerName);
  }
  headerList(): [string, string][] {
    const h = this.req.headers;
    const out: [string, string][] = [];
    for (let i = 0; i < h.count; i++) out.push([h.name(this.req.head, i), h.value(this.req.head, i)]);
    return out;
  }

  readonly #onData = (chunk: Buffer): void => this.onData(chunk);
  readonly #onEnd = (): void => this.onEnd();
  readonly #onClose = (): void => this.onClose();
  readonly #onError = (): void => {
    /* 'close' follows; nothing to do here */
  };
  readonly #onDrain = (): void => this.onDrain();
  readonly #onChunkData = (b: Buffer, s: number, e: number): void => {
    this.respBytes += e - s;
    this.socket.write(b.subarray(s, e));
  };
  readonly #onReqChunkData = (b: Buffer, s: number, e: number): void => {
    // Decoded request body data (decodeBody): held until the body is complete.
    const piece = b.subarray(s, e);
    this.bodyQueue.push(piece);
    this.queueBytes += piece.length;
  };

  constructor(socket: Socket, ctx: ConnContext, secure: boolean) {
    this.socket = socket;
    this.realSocket = socket instanceof Socket;
    this.ctx = ctx;
    this.secure = secure;
    const ra = socket.remoteAddress ?? '';
    this.peerIp = ra.startsWith('::ffff:') ? ra.slice(7) : ra;
    this.localPort = socket.localPort ?? 0;
    socket.setNoDelay(true);
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onClose);
    socket.on('error', this.#onError);
    socket.on('drain', this.#onDrain);
    this.respChunk.onData = null;
    clock.now = Date.now();
    this.setTimeout(TO_HEADER, ctx.limits.clientHeaderTimeoutMs);
    sweeper.add(this);
  }

  setTimeout(kind: number, ms: number): void {
    this.timeout = kind;
    this.deadline = ms > 0 ? clock.now + ms : 0;
  }

  // ───────────────────────────── input ─────────────────────────────

  onData(chunk: Buffer): void {
    // Deadlines are armed from the coarse clock; refresh it at every I/O entry so a busy event
    // loop (late sweep ticks) can never make a deadline come early.
    clock.now = Date.now();
    switch (this.state) {
      case ST_HEAD:
        this.headInput(chunk);
        return;
      case ST_REQUEST:
        if (!this.reqBodyDone) {
          this.bodyInput(chunk, 0);
        } else {
          this.bufferInput(chunk);
        }
        return;
      case ST_TUNNEL:
        if (this.up !== null) {
          this.deadline = clock.now + this.tunnelTimeout();
          if (!this.up.write(chunk)) this.pauseClient();
        }
        return;
      default:
        // Lingering close or closed: discard.
        return;
    }
  }

  bufferInput(chunk: Buffer): void {
    this.buf = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.buf.length > MAX_BUFFERED) this.pauseClient();
  }

  /** Parses as many complete request heads as the buffer holds (pipelining). */
  headInput(chunk: Buffer | null): void {
    if (chunk !== null) this.buf = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.inHeadLoop) return;
    this.inHeadLoop = true;
    try {
      while (this.state === ST_HEAD && this.buf !== null) {
        let data = this.buf;
        // Empty lines before a request line are ignored (RFC 9112 2.2).
        let s = 0;
        while (s + 1 < data.length && data[s] === 13 && data[s + 1] === 10) s += 2;
        if (s > 0) data = data.subarray(s);
        if (data.length === 0) {
          this.buf = null;
          break;
        }
        if (this.requests === 0 && this.ctx.h2c !== null && data[0] === 0x50) {
          // h2c with prior knowledge (--enable-h2c): the HTTP/2 front end takes the socket over.
          const p = prefaceState(data);
          if (p === PREFACE_FULL) {
            this.handOffH2c(data);
            return;
          }
          if (p === PREFACE_PARTIAL) {
            this.buf = data;
            break;
          }
        }
        if (this.timeout === TO_KEEPALIVE) this.setTimeout(TO_HEADER, this.ctx.limits.clientHeaderTimeoutMs);
        const idx = data.indexOf(CRLFCRLF);
        if (idx < 0) {
          this.buf = data;
          this.checkHeadSize(data, data.length);
          break;
        }
        if (!this.checkHeadSize(data, idx + 4)) break;
        const head = data.latin1Slice(0, idx + 2);
        this.buf = idx + 4 < data.length ? data.subarray(idx + 4) : null;
        this.beginRequest(head);
      }
    } finally {
      this.inHeadLoop = false;
    }
    if (this.state === ST_HEAD && this.paused && (this.buf === null || this.buf.length < MAX_BUFFERED)) this.resumeClient();
  }

  /** Gives the socket, and the bytes read so far, to the HTTP/2 front end; this object is done. */
  handOffH2c(data: Buffer): void {
    const s = this.socket;
    this.state = ST_CLOSED;
    this.buf = null;
    sweeper.delete(this);
    s.off('data', this.#onData);
    s.off('end', this.#onEnd);
    s.off('close', this.#onClose);
    s.off('error', this.#onError);
    s.off('drain', this.#onDrain);
    this.ctx.onConnectionClosed?.(this);
    this.ctx.h2c!(s, data);
  }

  /** Answers 414/431 when a head is too large; returns false when it did. */
  checkHeadSize(data: Buffer, headLen: number): boolean {
    const lim = this.ctx.limits;
    if (headLen <= lim.maxHead) {
      const lineEnd = data.indexOf(10);
      if (lineEnd < 0 ? data.length <= lim.maxRequestLine : lineEnd <= lim.maxRequestLine) return true;
      this.failRequest(414, 'request line too long');
      return false;
    }
    const lineEnd = data.indexOf(10);
    if (lineEnd < 0 || lineEnd > lim.maxRequestLine) this.failRequest(414, 'request line too long');
    else this.failRequest(431, 'request head too large');
    return false;
  }

  /** A request that cannot be parsed: answer and close (the stream is no longer trustworthy). */
  failRequest(status: number, why: string): void {
    this.requests++;
    this.startExchangeClock();
    this.error = why;
    this.keepAlive = false;
    this.buf = null;
    this.state = ST_REQUEST;
    this.sendGenerated(status, '', true);
  }

  startExchangeClock(): void {
    this.startPerf = performance.now();
    this.startMs = clock.now;
  }

  // ──────────────────────────── request ────────────────────────────

  beginRequest(head: string): void {
    this.requests++;
    this.startExchangeClock();
    const req = this.req;
    const status = parseRequestHead(head, req);
    this.state = ST_REQUEST;
    this.reqBytes = head.length + 2;
    if (status !== 0) {
      this.error = req.error;
      this.keepAlive = false;
      this.buf = null;
      this.sendGenerated(status, '', true);
      return;
    }
    const ctx = this.ctx;
    this.keepAlive = req.keepAlive && !ctx.draining && (ctx.limits.keepAliveRequests === 0 || this.requests < ctx.limits.keepAliveRequests);
    this.scheme = this.secure ? 'https' : 'http';
    // Client address and forwarded scheme/host/port: the socket's own, unless real-IP processing
    // is on (use-forwarded-headers, enable-real-ip, use-proxy-protocol; see ../real-ip.ts).
    const realIp = ctx.realIp;
    if (realIp === null) {
      this.clientIp = this.hopIp = this.peerIp;
      this.forwardedProto = this.scheme;
      this.forwardedHost = this.forwardedPort = '';
    } else {
      realIp.apply(this);
    }
    this.requestId = req.xRequestId !== '' ? req.xRequestId : ctx.cfg['generate-request-id'] ? newRequestId() : '';

    // Body framing first: whatever we answer, the body must be consumed or the connection closed.
    this.reqChunk.reset();
    if (req.bodyKind === BODY_LENGTH) {
      this.bodyLeft = req.contentLength;
      this.reqBodyDone = false;
    } else if (req.bodyKind === BODY_CHUNKED) {
      this.reqBodyDone = false;
    } else {
      this.reqBodyDone = true;
    }

    const router = ctx.router;
    this.router = router;
    const target = router.route(req.hostname, req.path);
    this.target = target;
    const policy = target.policy.proxy;
    // proxy-http-version 1.0 cannot carry chunked coding: decode the body, send it with a length.
    this.decodeBody = policy.httpVersion === '1.0' && req.bodyKind === BODY_CHUNKED;
    this.reqChunk.onData = this.decodeBody ? this.#onReqChunkData : null;

    if (policy.bodySizeLimit > 0 && req.bodyKind === BODY_LENGTH && req.contentLength > policy.bodySizeLimit) {
      this.error = `request body of ${req.contentLength} bytes exceeds proxy-body-size ${policy.bodySizeLimit}`;
      this.keepAlive = false;
      this.sendGenerated(413, '', true);
      return;
    }
    // Body bytes that arrived with the head are queued now, ahead of any later ones.
    if (!this.reqBodyDone && this.buf !== null) {
      const b = this.buf;
      this.buf = null;
      this.bodyInput(b, 0);
      if (this.state !== ST_REQUEST || this.respHeadDone) return;
    }
    const d = this.decision;
    d.reset();
    const steps = target.steps;
    if (steps.length > 0) {
      const r = runSteps(steps, 0, this, target, d, this);
      if (r === RESPOND) {
        this.sendDecision();
        return;
      }
      if (r === ASYNC) {
        // An asynchronous step (external auth) bounds its own wait; the header timeout is over.
        this.setTimeout(TO_NONE, 0);
        return;
      }
    }
    this.forward();
  }

  /** Called by an asynchronous policy step (external auth) when it has an answer. */
  resumePolicies(): void {
    const t = this.target;
    if (this.state !== ST_REQUEST || t === null || this.respHeadDone) return;
    const d = this.decision;
    const r = runSteps(t.steps, d.resumeAt, this, t, d, this);
    if (r === RESPOND) this.sendDecision();
    else if (r === CONTINUE) this.forward();
    else this.setTimeout(TO_NONE, 0);
  }

  get aborted(): boolean {
    return this.state === ST_CLOSED;
  }

  /** Policies passed: proxy the request (or answer 404/503 when there is nowhere to send it). */
  forward(): void {
    const target = this.target!;
    const req = this.req;
    const policy = target.policy.proxy;
    this.respExtra = this.decision.responseHeaders;
    this.respExtraOk = this.decision.responseHeadersOk;
    if (target.notFound) {
      this.sendGenerated(404, '', false);
      return;
    }
    // A policy may send elsewhere (default-backend annotation when the Service has no endpoints).
    const backend = this.decision.backend ?? target.backend;
    if (backend === null || backend.endpoints.length === 0) {
      this.error = backend === null ? 'no usable Service for this route' : 'no ready endpoints';
      if (!this.intercepted(503)) this.sendGenerated(503, '', false);
      return;
    }
    this.upBackend = backend;
    if (req.expectContinue && !this.reqBodyDone) this.socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
    if (req.bodyKind !== BODY_NONE && this.holdBody(policy)) return;
    this.startUpstream();
  }

  /**
   * proxy-request-buffering (ingress-nginx default "on"): the whole request body is read before
   * the upstream is contacted, so a slow upload never ties up a pod connection and a failed try
   * can be resent elsewhere (requestBodyDone() then starts the upstream). The body is held in
   * memory only, up to max(client-body-buffer-size, 8 MiB): a larger body (proxy-body-size above
   * that, or 0) starts streaming once that much has arrived (nginx would spill to a temp file).
   * With "off" the body streams as it arrives, and gRPC always streams (nginx's grpc_pass never
   * buffers the request body: client and bidirectional streaming depend on it). Returns true
   * when the upstream must wait.
   */
  holdBody(p: ProxyPolicy): boolean {
    if (!this.buffersRequest(p)) return false;
    // Nothing was sent yet, so everything received so far is still in hand for a retry.
    this.bodyRetained = true;
    if (this.reqBodyDone) return false;
    this.holdingBody = true;
    this.holdLimit = Math.max(p.clientBodyBufferSize, REQUEST_HOLD_LIMIT);
    this.setTimeout(TO_BODY, this.ctx.limits.clientBodyTimeoutMs);
    if (this.paused) this.resumeClient();
    return true;
  }

  /** Is the request body read whole before the upstream is contacted? */
  buffersRequest(p: ProxyPolicy): boolean {
    if (this.decodeBody) return true;
    if (!p.requestBuffering) return false;
    const proto = this.target!.policy.protocol;
    return proto !== 'GRPC' && proto !== 'GRPCS';
  }

  /** The held body outgrew the memory limit: stream the rest (or refuse, when it must be decoded). */
  holdLimitReached(): void {
    this.holdingBody = false;
    if (this.decodeBody) {
      this.error = `chunked request body larger than ${this.holdLimit} bytes cannot be buffered for an HTTP/1.0 upstream (proxy-http-version)`;
      this.abortRequest(413);
      return;
    }
    this.bodyRetained = false;
    this.startUpstream();
  }

  /** Builds the upstream request head and takes the first endpoint. */
  startUpstream(): void {
    const policy = this.target!.policy.proxy;
    this.upHead = this.buildUpstreamHead();
    this.attempts = 0;
    this.tried.length = 0;
    this.retryDeadline = policy.nextUpstreamTimeoutMs > 0 ? clock.now + policy.nextUpstreamTimeoutMs : 0;
    this.connectUpstream();
  }

  /** Answers with the local response a policy decided (redirect, 401, 403, preflight...). */
  sendDecision(): void {
    const d = this.decision;
    this.respExtra = d.responseHeaders;
    this.respExtraOk = d.responseHeadersOk;
    if (d.error !== '') this.error = d.error;
    if (this.intercepted(d.status)) return;
    this.sendGenerated(d.status, d.headers, false, d.body, d.contentType);
  }

  buildUpstreamHead(): string {
    const req = this.req;
    const cfg = this.ctx.cfg;
    const ip = this.clientIp;
    const d = this.decision;
    const host = this.forwardedHost !== '' ? this.forwardedHost : req.host !== '' ? req.host : this.upBackend!.data.service;
    const upHost = d.upstreamHost ?? host;
    if (d.dropHeaders !== null) {
      for (const name of d.dropHeaders) for (let i = req.headers.find(req.head, name); i >= 0; i = req.headers.find(req.head, name, i + 1)) req.headers.drop[i] = 1;
    }
    if (this.decodeBody) {
      const te = req.headers.find(req.head, 'transfer-encoding');
      if (te >= 0) req.headers.drop[te] = 1;
    }
    const xff = req.xForwardedFor !== '' && cfg['compute-full-forwarded-for'] ? `${req.xForwardedFor}, ${this.hopIp}` : ip;
    const port = this.forwardedPort !== '' ? this.forwardedPort : this.secure ? this.ctx.httpsPort : this.ctx.httpPort;
    const scheme = this.forwardedProto;
    let h =
      `${req.method} ${d.target ?? req.target} HTTP/${this.target!.policy.proxy.httpVersion}\r\nHost: ${upHost}\r\n` +
      req.headers.kept(req.head, req.headersStart) +
      (this.requestId !== '' ? `X-Request-ID: ${this.requestId}\r\n` : '') +
      `X-Real-IP: ${ip}\r\nX-Forwarded-For: ${xff}\r\nX-Forwarded-Host: ${host}\r\nX-Forwarded-Port: ${port}\r\n` +
      `X-Forwarded-Proto: ${scheme}\r\nX-Forwarded-Scheme: ${scheme}\r\nX-Scheme: ${scheme}\r\n`;
    if (req.xForwardedFor !== '') h += `X-Original-Forwarded-For: ${req.xForwardedFor}\r\n`;
    if (cfg['proxy-add-original-uri-header']) h += `X-Original-URI: ${req.target}\r\n`;
    if (req.upgrade !== '') h += `Upgrade: ${req.upgrade}\r\nConnection: upgrade\r\n`;
    if (this.decodeBody) h += `Content-Length: ${this.queueBytes}\r\n`;
    return h + d.addHeaders + '\r\n';
  }

  /** Picks an endpoint and takes a connection. Returns false when it already answered. */
  connectUpstream(): boolean {
    const target = this.target!;
    const d = this.decision;
    const backend = this.upBackend!;
    // Affinity without change-on-failure retries the cookie's endpoint (d.pinEndpoint), as ingress-nginx.
    const preferred = this.errorPage === 0 && (this.attempts === 0 || d.pinEndpoint) ? d.endpoint : null;
    const ep = preferred !== null && backend.endpoints.includes(preferred) ? preferred : backend.pick(this.tried);
    if (ep === null) {
      this.upstreamFailedFinal(this.error === '' ? 'no endpoint left to try' : this.error, this.lastFail);
      return false;
    }
    this.attempts++;
    this.tried.push(ep);
    this.endpoint = ep;
    if (d.onEndpoint !== null && this.errorPage === 0) {
      d.onEndpoint(d, ep);
      this.respExtra = d.responseHeaders;
    }
    this.upstreamAddr = this.upstreamAddr === '' ? ep.display : `${this.upstreamAddr}, ${ep.display}`;
    this.upHeadSent = false;
    this.upBytesSent = 0;
    this.respHeadDone = false;
    this.respBuf = null;
    this.upStartPerf = performance.now();
    const conn = ep.pool.acquire(this);
    this.up = conn;
    if (conn.connected) {
      this.sendUpstreamRequest();
    } else {
      this.setTimeout(TO_CONNECT, target.policy.proxy.connectTimeoutMs);
    }
    return true;
  }

  upConnected(conn: UpstreamConn): void {
    if (conn !== this.up) return;
    clock.now = Date.now();
    this.sendUpstreamRequest();
  }

  sendUpstreamRequest(): void {
    const up = this.up!;
    const q = this.bodyQueue;
    let ok: boolean;
    this.upHeadSent = true;
    if (q.length === 0) {
      ok = up.write(this.upHead);
    } else if (q.length === 1) {
      ok = writeMerged(up.socket, this.upHead, q[0]!);
      this.upBytesSent += q[0]!.length;
    } else {
      up.socket.cork();
      up.write(this.upHead);
      for (const b of q) {
        up.socket.write(b);
        this.upBytesSent += b.length;
      }
      up.socket.uncork();
      ok = !up.socket.writableNeedDrain;
    }
    this.upBytesSent += this.upHead.length;
    this.queueSent = q.length;
    if (!this.bodyRetained) this.dropSentBody();
    const p = this.target!.policy.proxy;
    if (!ok) {
      this.pauseClient();
      this.setTimeout(TO_SEND, p.sendTimeoutMs);
    } else if (this.reqBodyDone) {
      this.setTimeout(TO_READ, p.readTimeoutMs);
    } else {
      this.setTimeout(TO_BODY, this.ctx.limits.clientBodyTimeoutMs);
      if (this.paused && this.state === ST_REQUEST) this.resumeClient();
    }
  }

  dropSentBody(): void {
    if (this.queueSent === 0) return;
    this.bodyDropped = true;
    this.bodyQueue = this.queueSent === this.bodyQueue.length ? [] : this.bodyQueue.slice(this.queueSent);
    this.queueSent = 0;
  }

  /** Request body bytes from the client, starting at chunk[start]. */
  bodyInput(chunk: Buffer, start: number): void {
    const req = this.req;
    let end: number;
    let done: boolean;
    if (req.bodyKind === BODY_LENGTH) {
      const take = Math.min(this.bodyLeft, chunk.length - start);
      end = start + take;
      this.bodyLeft -= take;
      done = this.bodyLeft === 0;
    } else {
      end = this.reqChunk.feed(chunk, start, chunk.length);
      if (end < 0) {
        this.error = `malformed chunked request body: ${this.reqChunk.error}`;
        this.abortRequest(400);
        return;
      }
      done = this.reqChunk.done;
      const limit = this.target?.policy.proxy.bodySizeLimit ?? 0;
      if (limit > 0 && this.reqChunk.bodyBytes > limit) {
        this.error = `chunked request body exceeds proxy-body-size ${limit}`;
        this.abortRequest(413);
        return;
      }
    }
    this.reqBytes += end - start;
    if (this.decodeBody) {
      // Decoded data was queued by #onReqChunkData during feed().
      if (this.holdingBody) {
        if (this.queueBytes > this.holdLimit) {
          this.holdLimitReached();
          return;
        }
      } else if (this.queueBytes > MAX_BUFFERED) this.pauseClient();
    } else if (end > start) {
      const piece = start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end);
      this.deliverBody(piece);
      if (this.state !== ST_REQUEST || this.target === null) return;
    }
    if (end < chunk.length) {
      const rest = chunk.subarray(end);
      this.buf = this.buf === null ? rest : Buffer.concat([rest, this.buf]);
    }
    if (done) this.requestBodyDone();
    else if (this.state === ST_REQUEST && this.timeout === TO_BODY && (this.holdingBody || (this.up !== null && this.upHeadSent))) {
      this.deadline = clock.now + this.ctx.limits.clientBodyTimeoutMs;
    }
  }

  /** Queues body bytes (kept for a retry while small) and writes them once the upstream is ready. */
  deliverBody(piece: Buffer): void {
    this.bodyQueue.push(piece);
    this.queueBytes += piece.length;
    if (this.holdingBody) {
      // Request buffering: keep reading (all of it is retained) until the body is complete.
      if (this.queueBytes > this.holdLimit) this.holdLimitReached();
      return;
    }
    if (this.bodyRetained && this.queueBytes > RETAIN_LIMIT) this.bodyRetained = false;
    const up = this.up;
    if (up !== null && this.upHeadSent) {
      this.queueSent = this.bodyQueue.length;
      this.upBytesSent += piece.length;
      if (!this.bodyRetained) this.dropSentBody();
      if (!up.write(piece)) {
        this.pauseClient();
        this.setTimeout(TO_SEND, this.target!.policy.proxy.sendTimeoutMs);
      }
    } else if (this.queueBytes > MAX_BUFFERED) {
      // Still connecting (or waiting for a policy): stop reading until the upstream takes it.
      this.pauseClient();
    }
  }

  requestBodyDone(): void {
    this.reqBodyDone = true;
    if (this.holdingBody) {
      this.holdingBody = false;
      this.startUpstream();
      return;
    }
    if (this.up !== null && this.upHeadSent && this.timeout === TO_BODY) this.setTimeout(TO_READ, this.target!.policy.proxy.readTimeoutMs);
  }

  /**
   * Consumes a request body that is already completely buffered, so a generated response can
   * keep the connection alive. Returns false when the body is not all here (or is malformed).
   */
  skipBufferedBody(): boolean {
    const b = this.buf;
    if (b === null) return false;
    if (this.req.bodyKind === BODY_LENGTH) {
      if (b.length < this.bodyLeft) return false;
      this.buf = b.length > this.bodyLeft ? b.subarray(this.bodyLeft) : null;
      this.reqBytes += this.bodyLeft;
      this.bodyLeft = 0;
    } else {
      const end = this.reqChunk.feed(b, 0, b.length);
      if (end < 0 || !this.reqChunk.done) return false;
      this.buf = end < b.length ? b.subarray(end) : null;
      this.reqBytes += end;
    }
    this.reqBodyDone = true;
    return true;
  }

  // ──────────────────────────── upstream ───────────────────────────

  /** A real socket (net or TLS), not an HTTP/2 stream bridge. */
  readonly realSocket: boolean;

  /** An HTTP/2 bridge turns writes into stream frames that keep them: it gets copies. */
  get upCopyChunks(): boolean {
    return !this.realSocket;
  }

  /**
   * The upstream's read buffer may be reused once the last chunk is gone: not kept as a partial
   * response head, and written through to the client. A plain socket has then nothing pending
   * (a partial write keeps the rest in libuv). A TLS socket copies what it is handed into OpenSSL
   * at once, so there only a chunk queued behind a write in flight is still held — read from
   * the Writable's state (no public field says it; absent, we assume held).
   */
  upChunkReleased(): boolean {
    if (this.respBuf !== null) return false;
    const s = this.socket;
    if (s.writableLength === 0) return true;
    if (!this.secure) return false;
    const st = (s as unknown as { _writableState?: { length: number; writelen: number; writing: boolean } })._writableState;
    return st !== undefined && st.length - (st.writing ? st.writelen : 0) === 0;
  }

  upData(conn: UpstreamConn, chunk: Buffer): void {
    if (conn !== this.up) return;
    clock.now = Date.now();
    if (this.state === ST_TUNNEL) {
      this.deadline = clock.now + this.tunnelTimeout();
      if (!this.socket.write(chunk)) this.pauseUpstream();
      return;
    }
    if (this.timeout === TO_READ) this.deadline = clock.now + this.target!.policy.proxy.readTimeoutMs;
    if (!this.respHeadDone) {
      this.responseHeadInput(chunk);
      return;
    }
    this.responseBody(chunk, 0);
  }

  responseHeadInput(chunk: Buffer): void {
    const limit = this.target!.policy.proxy.bufferSize;
    let data = this.respBuf === null ? chunk : Buffer.concat([this.respBuf, chunk]);
    for (;;) {
      const idx = data.indexOf(CRLFCRLF);
      if (idx < 0) {
        if (data.length > limit) {
          this.upstreamFailed(FAIL_INVALID, `upstream sent too big header (more than proxy-buffer-size ${limit} bytes)`);
          return;
        }
        this.respBuf = data;
        return;
      }
      if (idx + 4 > limit) {
        this.upstreamFailed(FAIL_INVALID, `upstream sent too big header (${idx + 4} bytes, proxy-buffer-size ${limit})`);
        return;
      }
      const res = this.res;
      if (!parseResponseHead(data.latin1Slice(0, idx + 2), res, this.req.method)) {
        this.upstreamFailed(FAIL_INVALID, `upstream sent invalid header: ${res.error}`);
        return;
      }
      const rest = data.subarray(idx + 4);
      if (res.status < 200 && res.status !== 101) {
        // Interim responses (100, 102, 103) are not forwarded; sluice sent its own 100 if needed.
        this.respBuf = null;
        if (rest.length === 0) return;
        data = rest;
        continue;
      }
      this.respBuf = null;
      this.upstreamStatus = res.status;
      this.upstreamDuration = (performance.now() - this.upStartPerf) / 1000;
      if (res.status === 101) {
        this.startTunnel(rest);
        return;
      }
      const nu = this.target!.policy.proxy.nextUpstream;
      if (nu.statuses.length > 0 && nu.statuses.includes(res.status) && this.canRetry(FAIL_STATUS)) {
        this.lastFail = FAIL_STATUS;
        this.error = `upstream ${this.endpoint?.display} answered ${res.status}`;
        this.retry();
        return;
      }
      if (this.intercepted(res.status)) return;
      this.sendResponseHead(rest);
      return;
    }
  }

  /**
   * custom-http-errors (ingress-nginx `error_page <code> = @custom_*`, proxy_intercept_errors):
   * a listed status — from the upstream, or one sluice would generate (502/504, 503 without
   * endpoints, a policy's 401/403...) — is answered by the error backend instead: the pending
   * response is dropped (an upstream connection is closed, so its body is never relayed) and the
   * request goes, as `<method> /<query>` with X-Code & co (error-page.ts), to that backend; the
   * client gets its response, status included. Never for the error backend's own answer. The
   * request body is (re)sent from the retry buffer, so this needs it still held (all of it with
   * proxy-request-buffering on, up to 8 MiB; ≤ 64 KiB of a streamed one); otherwise the original
   * answer goes out. Returns true when the error backend took over.
   */
  intercepted(status: number): boolean {
    const ic = this.decision.intercept;
    if (ic === null || this.errorPage !== 0 || !ic.includes(status) || !this.bodyRetained) return false;
    // A body being decoded for an HTTP/1.0 upstream is framed by its length: only once complete.
    if (this.decodeBody && !this.reqBodyDone) return false;
    const up = this.up;
    this.up = null;
    if (up !== null) up.pool.discard(up, 'custom-http-errors: response replaced by the error backend');
    this.upPaused = false;
    this.errorPage = status;
    // The answer now comes from the @custom location: the original location's response headers
    // (HSTS, CORS, the auth Set-Cookie...) do not apply to it.
    this.respExtra = '';
    this.respExtraOk = '';
    const eb = this.decision.errorBackend;
    if (eb === null || eb.endpoints.length === 0) {
      // No error backend: ingress-nginx's built-in default server answers 404; one without endpoints, 503.
      if (eb !== null) this.error = 'custom-http-errors: the default backend has no endpoints';
      this.sendGenerated(eb === null ? 404 : 503, '', false);
      return true;
    }
    // Not proxied yet (a local answer, or no endpoints): the client may still wait for 100 Continue.
    if (this.upHead === '' && this.req.expectContinue && !this.reqBodyDone) this.socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
    this.upBackend = eb;
    this.upHead = errorPageHead(this.req, this.target!, this.requestId, this.clientIp, status, eb.data.service);
    if (this.decodeBody) this.upHead = `${this.upHead.slice(0, -2)}Content-Length: ${this.queueBytes}\r\n\r\n`;
    this.attempts = 0;
    this.tried.length = 0;
    this.retryDeadline = 0;
    this.connectUpstream();
    return true;
  }

  lastFail = 0;

  sendResponseHead(rest: Buffer): void {
    const res = this.res;
    const req = this.req;
    this.status = res.status;
    this.respHeadDone = true;
    this.respKind = res.bodyKind;
    // The location's proxy settings; an error page (custom-http-errors) comes from another location.
    const own = this.errorPage === 0;
    const p = this.target!.policy.proxy;
    // An HTTP/1.0 upstream request is never followed by another on that connection.
    this.respClose = res.close || (own && p.httpVersion === '1.0');
    this.readAhead = own && p.buffering ? RESPONSE_READ_AHEAD : 0;
    // Headers a policy sets itself replace the upstream's (CORS, like nginx's more_set_headers).
    const dropRes = this.decision.dropResponseHeaders;
    if (dropRes !== null && own) {
      for (const n of dropRes) for (let i = res.headers.find(res.head, n); i >= 0; i = res.headers.find(res.head, n, i + 1)) res.headers.drop[i] = 1;
    }
    let close = !this.keepAlive || this.clientEnded || !this.reqBodyDone;
    this.respDecode = false;
    if (res.bodyKind === RESP_BODY_CLOSE) close = true;
    if (res.bodyKind === RESP_BODY_CHUNKED) {
      this.respChunk.reset();
      if (req.minor === 0) {
        // HTTP/1.0 clients cannot read chunked coding: decode it and delimit by close.
        this.respDecode = true;
        const te = res.headers.find(res.head, 'transfer-encoding');
        if (te >= 0) res.headers.drop[te] = 1;
        close = true;
      }
      this.respChunk.onData = this.respDecode ? this.#onChunkData : null;
    } else if (res.bodyKind === RESP_BODY_LENGTH) {
      this.respLeft = res.contentLength;
    }
    if (close) this.keepAlive = false;
    const head =
      `HTTP/1.1 ${res.statusText}\r\n` +
      res.headers.kept(res.head, res.headersStart) +
      this.respExtra +
      (this.respExtraOk !== '' && addHeaderApplies(res.status) ? this.respExtraOk : '') +
      (close ? 'Connection: close\r\n\r\n' : 'Connection: keep-alive\r\n\r\n');
    const kind = res.bodyKind;
    if (kind === RESP_BODY_NONE || rest.length === 0 || this.respDecode) {
      this.respBytes += head.length;
      if (!this.socket.write(head, 'latin1')) this.clientFull();
      if (kind === RESP_BODY_NONE) {
        this.responseDone(rest.length > 0);
        return;
      }
      if (rest.length > 0) this.responseBody(rest, 0);
      return;
    }
    // Head and the first body bytes in one write.
    let end = rest.length;
    let done = false;
    if (kind === RESP_BODY_LENGTH) {
      end = Math.min(this.respLeft, rest.length);
      this.respLeft -= end;
      done = this.respLeft === 0;
    } else if (kind === RESP_BODY_CHUNKED) {
      end = this.respChunk.feed(rest, 0, rest.length);
      if (end < 0) {
        this.upstreamBroken(`upstream sent invalid chunked body: ${this.respChunk.error}`);
        return;
      }
      done = this.respChunk.done;
    }
    const body = end === rest.length ? rest : rest.subarray(0, end);
    this.respBytes += head.length + body.length;
    if (!writeMerged(this.socket, head, body)) this.clientFull();
    if (done) this.responseDone(end < rest.length);
  }

  responseBody(chunk: Buffer, start: number): void {
    let end = chunk.length;
    let done = false;
    switch (this.respKind) {
      case RESP_BODY_LENGTH: {
        const take = Math.min(this.respLeft, chunk.length - start);
        end = start + take;
        this.respLeft -= take;
        done = this.respLeft === 0;
        break;
      }
      case RESP_BODY_CHUNKED:
        end = this.respChunk.feed(chunk, start, chunk.length);
        if (end < 0) {
          this.upstreamBroken(`upstream sent invalid chunked body: ${this.respChunk.error}`);
          return;
        }
        done = this.respChunk.done;
        if (this.respDecode) {
          if (done) this.responseDone(end < chunk.length);
          return;
        }
        break;
      case RESP_BODY_NONE:
        this.responseDone(true);
        return;
    }
    if (end > start) {
      const piece = start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end);
      this.respBytes += piece.length;
      if (!this.socket.write(piece)) this.clientFull();
    }
    if (done) this.responseDone(end < chunk.length);
  }

  /** The response is complete. `extraBytes`: the upstream sent more than the response. */
  responseDone(extraBytes: boolean): void {
    const up = this.up;
    this.up = null;
    if (up !== null) {
      if (extraBytes || this.respClose || !this.reqBodyDone || this.upPaused) {
        up.socket.resume();
        up.pool.discard(up, extraBytes ? 'extra bytes' : this.respClose ? 'upstream asked to close' : !this.reqBodyDone ? 'request body unfinished' : 'client backpressure');
      } else {
        up.pool.release(up);
      }
    }
    this.upPaused = false;
    if (!this.reqBodyDone) {
      // The upstream answered before the request body was complete: close once it is written.
      this.keepAlive = false;
    }
    this.finishExchange();
  }

  upClosed(conn: UpstreamConn, err: Error | null): void {
    if (conn !== this.up) return;
    this.up = null;
    if (this.state === ST_TUNNEL) {
      this.socket.end();
      this.finishExchange();
      return;
    }
    if (this.respHeadDone) {
      if (this.respKind === RESP_BODY_CLOSE) {
        this.responseDone(false);
        return;
      }
      this.upstreamBroken(`upstream closed the connection mid-response${err ? `: ${err.message}` : ''}`);
      return;
    }
    const kind = !conn.connected ? FAIL_CONNECT : FAIL_RESET;
    const why = !conn.connected
      ? `connect to ${this.endpoint?.display} failed${err ? `: ${(err as NodeJS.ErrnoException).code ?? err.message}` : ''}`
      : `upstream ${this.endpoint?.display} closed the connection before responding${err ? `: ${(err as NodeJS.ErrnoException).code ?? err.message}` : ''}`;
    this.upstreamFailed(kind, why, conn.reused && this.upBytesSent > 0);
  }

  upDrain(conn: UpstreamConn): void {
    if (conn !== this.up) return;
    clock.now = Date.now();
    if (this.paused && this.state !== ST_CLOSED) {
      this.resumeClient();
      if (this.state === ST_REQUEST && !this.reqBodyDone) this.setTimeout(TO_BODY, this.ctx.limits.clientBodyTimeoutMs);
      else if (this.state === ST_REQUEST) this.setTimeout(TO_READ, this.target!.policy.proxy.readTimeoutMs);
    }
  }

  /**
   * May this failure be retried on another endpoint? proxy-next-upstream decides which failures
   * count (error, timeout, http_5xx); a keep-alive race (a reused connection closed under us)
   * always may, as it says nothing about the endpoint.
   */
  canRetry(kind: number, keepAliveRace = false): boolean {
    const p = this.target!.policy.proxy;
    const nu = p.nextUpstream;
    if (this.respHeadDone && this.status !== 0) return false;
    if (!keepAliveRace) {
      const allowed = kind === FAIL_TIMEOUT ? nu.timeout : kind === FAIL_STATUS ? true : kind === FAIL_INVALID ? nu.invalidHeader : nu.error;
      if (!allowed) return false;
      if (p.tries > 0 && this.attempts >= p.tries) return false;
      if (this.retryDeadline !== 0 && clock.now >= this.retryDeadline) return false;
    }
    // Anything sent to an upstream makes a non-idempotent request unsafe to repeat.
    if (this.upBytesSent > 0 && !nu.nonIdempotent && !isIdempotent(this.req.method)) return false;
    // The body must still be in hand to send it again.
    if (this.bodyDropped) return false;
    // proxy-request-buffering off: once body bytes went out, nginx does not try another endpoint.
    if (!keepAliveRace && !this.buffersRequest(p) && this.upBytesSent > this.upHead.length) return false;
    return true;
  }

  upstreamFailed(kind: number, why: string, keepAliveRace = false): void {
    this.lastFail = kind;
    this.error = why;
    const up = this.up;
    this.up = null;
    if (up !== null) up.pool.discard(up);
    if (this.respHeadDone && this.status !== 0) {
      this.upstreamBroken(why);
      return;
    }
    if (this.canRetry(kind, keepAliveRace)) {
      if (keepAliveRace) {
        // A reused connection closed under us: retry without counting it as a try on that endpoint.
        this.tried.pop();
        this.attempts--;
      }
      this.retry();
      return;
    }
    this.upstreamFailedFinal(why, kind);
  }

  retry(): void {
    const up = this.up;
    this.up = null;
    if (up !== null) up.pool.discard(up);
    this.respHeadDone = false;
    this.status = 0;
    this.upstreamStatus = 0;
    if (this.upPaused) this.upPaused = false;
    this.connectUpstream();
  }

  upstreamFailedFinal(why: string, kind: number): void {
    const status = kind === FAIL_TIMEOUT ? 504 : 502;
    this.error = why;
    this.ctx.log('warn', { requestId: this.requestId, upstream: this.endpoint?.display ?? '', status }, why);
    if (this.intercepted(status)) return;
    this.sendGenerated(status, '', !this.reqBodyDone);
  }

  /** The upstream failed after the response head went out: the client must see a truncation. */
  upstreamBroken(why: string): void {
    this.error = why;
    this.brokenWhy = why;
    this.brokenByTimeout = this.lastFail === FAIL_TIMEOUT;
    this.brokenByLimit = false;
    this.ctx.log('warn', { requestId: this.requestId, upstream: this.endpoint?.display ?? '' }, why);
    const up = this.up;
    this.up = null;
    if (up !== null) up.pool.discard(up);
    this.keepAlive = false;
    this.finishExchange();
    this.socket.destroy();
  }

  startTunnel(rest: Buffer): void {
    const res = this.res;
    if (this.req.upgrade === '') {
      this.upstreamFailed(FAIL_INVALID, 'upstream switched protocols without an Upgrade request');
      return;
    }
    this.status = 101;
    this.respHeadDone = true;
    const upgrade = res.headers.get(res.head, 'upgrade') ?? this.req.upgrade;
    const head = `HTTP/1.1 ${res.statusText}\r\n` + res.headers.kept(res.head, res.headersStart) + this.respExtra + `Upgrade: ${upgrade}\r\nConnection: upgrade\r\n\r\n`;
    this.respBytes += head.length;
    writeMerged(this.socket, head, rest.length > 0 ? rest : null);
    this.state = ST_TUNNEL;
    this.keepAlive = false;
    this.setTimeout(TO_TUNNEL, this.tunnelTimeout());
    // Bytes the client sent after its upgrade request belong to the new protocol.
    if (this.buf !== null && this.up !== null) {
      this.up.write(this.buf);
      this.buf = null;
    }
    if (this.paused) this.resumeClient();
  }

  tunnelTimeout(): number {
    const p = this.target!.policy.proxy;
    return Math.max(p.readTimeoutMs, p.sendTimeoutMs);
  }

  // ──────────────────────────── output ─────────────────────────────

  /**
   * Sends a response sluice generated (error pages, redirects, policy answers). `close`: close
   * after it. Without a body, statuses that carry one get the standard HTML page.
   */
  sendGenerated(status: number, extraHeaders: string, close: boolean, body = '', contentType = ''): void {
    this.status = status;
    this.respHeadDone = true;
    if (close || this.ctx.draining) this.keepAlive = false;
    // An unread request body forces a close, unless it is already all buffered.
    if (!this.reqBodyDone && !(this.keepAlive && this.skipBufferedBody())) this.keepAlive = false;
    let text = body;
    let type = contentType;
    if (text === '' && status !== 204 && status !== 304 && status >= 300) {
      text = errorBody(status);
      type = 'text/html';
    }
    const extra = this.respExtraOk !== '' && addHeaderApplies(status) ? extraHeaders + this.respExtra + this.respExtraOk : extraHeaders + this.respExtra;
    const head = generatedHead(status, type, Buffer.byteLength(text), this.keepAlive, extra);
    const payload = this.req.method === 'HEAD' ? '' : text;
    this.respBytes += head.length + payload.length;
    if (payload === '' || /^[\x00-\xff]*$/.test(payload)) this.socket.write(head + payload, 'latin1');
    else writeMerged(this.socket, head, Buffer.from(payload, 'utf8'));
    this.finishExchange();
  }

  /** Abort while reading the request body (malformed or too large): answer if possible, close. */
  abortRequest(status: number): void {
    const up = this.up;
    this.up = null;
    if (up !== null) up.pool.discard(up);
    this.keepAlive = false;
    this.reqBodyDone = true;
    this.buf = null;
    if (this.respHeadDone && this.status !== 0) {
      this.brokenWhy = this.error;
      this.brokenByTimeout = status === 408;
      this.brokenByLimit = status === 413;
      this.finishExchange();
      this.socket.destroy();
      return;
    }
    this.sendGenerated(status, '', true);
  }

  finishExchange(): void {
    if (this.target !== null || this.status !== 0) this.record();
    const up = this.up;
    this.up = null;
    if (up !== null) up.pool.discard(up);
    if (this.upPaused) this.upPaused = false;
    this.resetExchange();
    if (this.state === ST_CLOSED) return;
    if (!this.keepAlive || this.clientEnded) {
      this.lingerClose();
      return;
    }
    this.state = ST_HEAD;
    this.setTimeout(TO_KEEPALIVE, this.ctx.limits.keepAliveMs);
    if (this.buf !== null) this.headInput(null);
    else if (this.paused) this.resumeClient();
  }

  resetExchange(): void {
    this.target = null;
    this.upBackend = null;
    this.errorPage = 0;
    this.router = null;
    this.endpoint = null;
    this.tried.length = 0;
    this.attempts = 0;
    this.upHead = '';
    this.upHeadSent = false;
    this.upBytesSent = 0;
    this.bodyLeft = 0;
    this.reqBytes = 0;
    if (this.bodyQueue.length > 0) this.bodyQueue = [];
    this.queueSent = 0;
    this.queueBytes = 0;
    this.bodyRetained = true;
    this.bodyDropped = false;
    this.holdingBody = false;
    this.decodeBody = false;
    this.readAhead = 0;
    this.respHeadDone = false;
    this.respBuf = null;
    this.respKind = RESP_BODY_NONE;
    this.respLeft = 0;
    this.respDecode = false;
    this.respChunk.onData = null;
    this.respBytes = 0;
    this.respClose = false;
    this.status = 0;
    this.upstreamStatus = 0;
    this.upstreamAddr = '';
    this.upstreamDuration = 0;
    this.respExtra = '';
    this.respExtraOk = '';
    this.error = '';
    this.requestId = '';
    this.lastFail = 0;
  }

  /** One record object per connection, refilled per exchange (sinks must not keep it). */
  readonly #rec: ExchangeRecord = emptyExchangeRecord();

  record(): void {
    const t = this.target;
    const req = this.req;
    const rec = this.#rec;
    rec.startMs = this.startMs;
    rec.durationS = (performance.now() - this.startPerf) / 1000;
    rec.clientIp = this.clientIp !== '' ? this.clientIp : this.peerIp;
    rec.method = req.method;
    rec.scheme = this.secure ? 'https' : 'http';
    rec.host = req.host;
    rec.uri = req.target;
    rec.httpVersion = this.httpVersion ?? (req.minor === 0 ? 'HTTP/1.0' : 'HTTP/1.1');
    rec.status = this.status;
    rec.requestBytes = this.reqBytes;
    rec.responseBytes = this.respBytes;
    rec.upstreamAddr = this.upstreamAddr;
    rec.upstreamStatus = this.upstreamStatus;
    rec.upstreamDurationS = this.upstreamDuration;
    rec.requestId = this.requestId;
    if (t !== null) {
      rec.namespace = t.namespace;
      rec.ingress = t.ingress;
      rec.service = t.service;
      rec.servicePort = t.servicePort;
      rec.path = t.path;
      rec.serverHost = t.server.server.host;
    } else {
      rec.namespace = rec.ingress = rec.service = rec.servicePort = rec.path = rec.serverHost = '';
    }
    rec.error = this.error;
    this.ctx.sink.record(rec, t);
  }

  // ─────────────────────── flow control & close ────────────────────

  pauseClient(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  resumeClient(): void {
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /**
   * The client socket is past its high-water mark. Stop reading the upstream, unless
   * proxy-buffering is on: then keep reading ahead of the slow client up to 8 MiB (memory, where
   * nginx would also spill to disk), so a response that fits is read whole and the upstream
   * connection goes back to the pool without waiting for the client.
   */
  clientFull(): void {
    if (this.readAhead > 0 && this.socket.writableLength <= this.readAhead) return;
    this.pauseUpstream();
  }

  pauseUpstream(): void {
    const up = this.up;
    if (up !== null && !this.upPaused) {
      this.upPaused = true;
      up.socket.pause();
      this.setTimeout(TO_CLIENT_SEND, this.ctx.limits.sendTimeoutMs);
    }
  }

  onDrain(): void {
    clock.now = Date.now();
    if (this.upPaused) {
      this.upPaused = false;
      const up = this.up;
      if (up !== null) {
        up.socket.resume();
        if (this.state === ST_TUNNEL) this.setTimeout(TO_TUNNEL, this.tunnelTimeout());
        else this.setTimeout(TO_READ, this.target!.policy.proxy.readTimeoutMs);
      }
    }
  }

  onEnd(): void {
    this.clientEnded = true;
    if (this.state === ST_HEAD) {
      this.closeNow();
      return;
    }
    if (this.state === ST_TUNNEL) {
      this.up?.socket.end();
      return;
    }
    if (this.state === ST_REQUEST && !this.reqBodyDone) {
      // Body cut short: the request can never complete.
      this.error = 'client closed the connection before sending the whole body';
      this.status = this.status === 0 ? 499 : this.status;
      const up = this.up;
      this.up = null;
      if (up !== null) up.pool.discard(up);
      this.finishExchange();
      this.closeNow();
    }
  }

  lingerClose(): void {
    if (this.state === ST_CLOSED) return;
    this.state = ST_CLOSED;
    this.buf = null;
    this.socket.end();
    if (this.paused) this.resumeClient();
    // Keep reading (and dropping) briefly so the peer sees our response before any reset; while
    // response bytes are still queued (a slow client), allow it the send timeout to take them.
    this.setTimeout(TO_LINGER, this.socket.writableLength > 0 ? Math.max(LINGER_MS, this.ctx.limits.sendTimeoutMs) : LINGER_MS);
  }

  closeNow(): void {
    if (!this.socket.destroyed) this.socket.destroy();
  }

  onClose(): void {
    const wasActive = this.state === ST_REQUEST || this.state === ST_TUNNEL;
    const hadTarget = this.target !== null;
    this.state = ST_CLOSED;
    sweeper.delete(this);
    const up = this.up;
    this.up = null;
    if (up !== null) up.pool.discard(up);
    if (wasActive && hadTarget) {
      if (this.status === 0 || !this.respHeadDone) this.status = 499;
      if (this.error === '') this.error = 'client closed the connection';
      this.record();
      this.resetExchange();
    }
    this.ctx.onConnectionClosed?.(this);
  }

  onTimeout(): void {
    switch (this.timeout) {
      case TO_KEEPALIVE:
      case TO_LINGER:
        this.closeNow();
        return;
      case TO_HEADER:
        if (this.buf !== null && this.buf.length > 0) {
          this.failRequest(408, 'client did not send a complete request head in time');
        } else {
          this.closeNow();
        }
        return;
      case TO_BODY:
        this.error = 'client did not send the request body in time';
        this.abortRequest(408);
        return;
      case TO_CONNECT:
        this.upstreamFailed(FAIL_TIMEOUT, `connect to ${this.endpoint?.display} timed out`);
        return;
      case TO_READ:
      case TO_SEND:
        this.upstreamFailed(FAIL_TIMEOUT, `upstream ${this.endpoint?.display} timed out (${this.timeout === TO_READ ? 'proxy-read-timeout' : 'proxy-send-timeout'})`);
        return;
      case TO_CLIENT_SEND:
      case TO_TUNNEL: {
        this.error = this.timeout === TO_TUNNEL ? 'tunnel idle timeout' : 'client did not read the response in time';
        const up = this.up;
        this.up = null;
        if (up !== null) up.pool.discard(up);
        this.keepAlive = false;
        this.finishExchange();
        this.closeNow();
        return;
      }
    }
  }

  /** Graceful shutdown: close now if idle, else after the current exchange. */
  drain(): void {
    this.keepAlive = false;
    if (this.state === ST_HEAD && (this.buf === null || this.buf.length === 0)) this.closeNow();
  }

  get idle(): boolean {
    return this.state === ST_HEAD && (this.buf === null || this.buf.length === 0);
  }
}
