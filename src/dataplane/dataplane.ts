// The data plane: listeners, live connections, and the route table they read. A new table is
// installed by building a Router and swapping one reference; connections read the reference
// when a request starts, so in-flight requests finish on the table they began with and no
// listener or connection is touched by a configuration change.

import net from 'node:net';
import { headerBuffers, type GlobalConfig } from '../compile/config.ts';
import type { BackendProtocol, Endpoint, RouteTable } from '../routes/table.ts';
import type { RoutePolicy, UpstreamTlsPolicy } from '../compile/policy.ts';
import { transportKey, type Transport } from './upstream/transport.ts';
import type { ConnContext, DataPlaneLimits, ExchangeSink } from './context.ts';
import { Http1Connection } from './http1/connection.ts';
import { Router } from './router.ts';
import { BackendRegistry } from './upstream/backends.ts';
import { PoolRegistry, poolDebug } from './upstream/pool.ts';
import { ContextStore, type PemPair } from './tls/contexts.ts';
import { HttpsListener } from './tls/listener.ts';
import { RealIp } from './real-ip.ts';
import { proxyInfoOf, readProxyHeader } from './proxy-protocol/accept.ts';
import { H2Frontend } from './h2/frontend.ts';

export interface ListenOptions {
  host: string;
  port: number;
  /** SO_REUSEPORT, so several worker processes can share the port. */
  reusePort?: boolean;
}

export interface DataPlaneOptions {
  sink: ExchangeSink;
  log: ConnContext['log'];
  httpPort: number;
  httpsPort: number;
  /** Certificate served when no other matches (generated at start, or shipped by the primary). */
  defaultCertificate: PemPair;
  /** Log upstream connection lifecycle (log level debug). */
  debug?: boolean;
  /** Accept HTTP/2 with prior knowledge (h2c) on the HTTP listener. */
  enableH2c?: boolean;
}

function limitsOf(cfg: GlobalConfig): DataPlaneLimits {
  const hb = headerBuffers(cfg);
  return {
    maxRequestLine: hb.size,
    maxHead: hb.size * hb.count,
    keepAliveMs: cfg['keep-alive'] * 1000,
    keepAliveRequests: cfg['keep-alive-requests'],
    clientHeaderTimeoutMs: cfg['client-header-timeout'] * 1000,
    clientBodyTimeoutMs: cfg['client-body-timeout'] * 1000,
    sendTimeoutMs: cfg['proxy-send-timeout'] * 1000,
  };
}

/** Backend keys with the transports (protocol, upstream TLS settings) routes use them with. */
export function backendUses(table: RouteTable): Map<string, Map<string, Transport>> {
  const uses = new Map<string, Map<string, Transport>>();
  const add = (key: string | null, protocol: BackendProtocol, tls: UpstreamTlsPolicy | null = null): void => {
    if (key === null) return;
    let s = uses.get(key);
    if (!s) uses.set(key, (s = new Map()));
    const tk = transportKey(protocol, tls);
    if (!s.has(tk)) s.set(tk, { protocol, tls });
  };
  // default-backend annotations serve with the route's protocol (no endpoints) and plain HTTP
  // (custom-http-errors), as does --default-backend-service for error pages.
  const addPolicy = (backend: string | null, p: RoutePolicy): void => {
    add(backend, p.protocol, p.upstreamTls);
    if (p.errors.backend !== null) {
      add(p.errors.backend, p.protocol, p.upstreamTls);
      add(p.errors.backend, 'HTTP');
    }
  };
  for (const s of [...table.servers, table.catchAll]) {
    addPolicy(s.fallback.backend, s.fallback.policy);
    for (const r of s.routes) addPolicy(r.backend, r.policy);
  }
  add(table.defaultBackend ?? null, 'HTTP');
  return uses;
}

export class DataPlane {
  readonly pools = new PoolRegistry();
  readonly backends = new BackendRegistry(this.pools);
  readonly connections = new Set<Http1Connection>();
  readonly servers: net.Server[] = [];
  readonly ctx: ConnContext;
  readonly contexts: ContextStore;
  https: HttpsListener | null = null;
  /** HTTP/2 front end: TLS connections that negotiate h2 (ConfigMap use-http2), and h2c when enabled. */
  readonly h2: H2Frontend;
  #table: RouteTable | null = null;

  constructor(opts: DataPlaneOptions, initial: RouteTable) {
    this.backends.sync(initial.backends, backendUses(initial));
    this.ctx = {
      router: new Router(initial, this.backends),
      cfg: initial.global,
      realIp: RealIp.for(initial.global, opts.httpsPort),
      limits: limitsOf(initial.global),
      sink: opts.sink,
      draining: false,
      httpPort: opts.httpPort,
      httpsPort: opts.httpsPort,
      log: opts.log,
      onConnectionClosed: (c) => this.connections.delete(c as Http1Connection),
      h2c: null,
    };
    this.h2 = new H2Frontend(this.ctx);
    if (opts.enableH2c) this.ctx.h2c = (socket, head) => this.h2.accept(socket, head);
    this.#applyPoolLimits(initial.global);
    if (opts.debug) poolDebug.log = (msg, obj) => opts.log('debug', obj, msg);
    this.contexts = new ContextStore(opts.defaultCertificate, initial.global, (m) => opts.log('error', {}, m));
    this.contexts.install(initial);
    this.#table = initial;
  }

  get table(): RouteTable {
    return this.#table!;
  }

  get router(): Router {
    return this.ctx.router;
  }

  /** Swaps in a new table. Never throws on a valid table; never touches sockets. */
  install(table: RouteTable): void {
    this.backends.sync(table.backends, backendUses(table));
    const router = new Router(table, this.backends);
    this.ctx.router = router;
    const before = this.contexts.defaultPem;
    const settings = JSON.stringify(this.contexts.settings);
    this.contexts.install(table);
    if (this.https && (this.contexts.defaultPem !== before || JSON.stringify(this.contexts.settings) !== settings)) this.https.refreshDefault();
    if (table.global !== this.ctx.cfg) {
      this.ctx.cfg = table.global;
      this.ctx.realIp = RealIp.for(table.global, this.ctx.httpsPort);
      this.ctx.limits = limitsOf(table.global);
      this.#applyPoolLimits(table.global);
      this.h2.configure(table.global);
    }
    this.#table = table;
  }

  /** Endpoint-only change: applied to the live backends without a new table. */
  updateEndpoints(backendKey: string, endpoints: Endpoint[]): boolean {
    return this.backends.updateEndpoints(backendKey, endpoints);
  }

  #applyPoolLimits(cfg: GlobalConfig): void {
    this.pools.setLimits({
      maxIdle: cfg['upstream-keepalive-connections'],
      idleTimeoutMs: cfg['upstream-keepalive-timeout'] * 1000,
      maxRequests: cfg['upstream-keepalive-requests'],
      maxAgeMs: cfg['upstream-keepalive-time'] * 1000,
    });
  }

  /** Accepts a socket as an HTTP/1.1 connection (plain, or already-decrypted TLS). */
  accept(socket: net.Socket, secure: boolean): Http1Connection {
    const c = new Http1Connection(socket, this.ctx, secure);
    // use-proxy-protocol: the header read before HTTP (or before TLS) names the real client.
    if (this.ctx.cfg['use-proxy-protocol']) c.proxy = proxyInfoOf(socket);
    this.connections.add(c);
    return c;
  }

  /**
   * A new TCP connection on either listener: with use-proxy-protocol its PROXY header is read
   * first (a connection without a valid one is closed); otherwise it goes straight on.
   */
  #acceptRaw(socket: net.Socket, next: (socket: net.Socket) => void, afterProxyHeader: (socket: net.Socket) => void): void {
    const cfg = this.ctx.cfg;
    if (!cfg['use-proxy-protocol']) {
      next(socket);
      return;
    }
    readProxyHeader(
      socket,
      cfg['proxy-protocol-header-timeout'] * 1000,
      afterProxyHeader,
      (reason) => this.ctx.log('debug', { client: socket.remoteAddress }, `closed a connection: ${reason}`),
    );
  }

  readonly #acceptHttp = (socket: net.Socket): void => {
    this.accept(socket, false);
  };

  /** After a PROXY header the socket is paused (the rest of its bytes put back): start reading. */
  readonly #acceptHttpAfterProxy = (socket: net.Socket): void => {
    this.accept(socket, false);
    socket.resume();
  };

  async listenHttp(opts: ListenOptions): Promise<net.AddressInfo> {
    const server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: false }, (socket) => {
      this.#acceptRaw(socket, this.#acceptHttp, this.#acceptHttpAfterProxy);
    });
    await listen(server, opts);
    server.on('error', (err) => this.ctx.log('error', { err: err.message }, 'HTTP listener error'));
    this.servers.push(server);
    return server.address() as net.AddressInfo;
  }

  async listenHttps(opts: ListenOptions, ticketKeys: Buffer | null = null): Promise<net.AddressInfo> {
    const l = new HttpsListener(
      this.contexts,
      {
        http1: (s) => this.accept(s, true),
        h2: (s) => this.h2.accept(s, null),
        h2Enabled: () => this.ctx.cfg['use-http2'],
        accept: (s, startTls) => this.#acceptRaw(s, startTls, startTls),
      },
      ticketKeys,
      (m) => this.ctx.log('error', {}, m),
    );
    await listen(l.listener, opts);
    if (ticketKeys === null) l.startTicketRotation();
    this.https = l;
    return l.address();
  }

  /** Stops accepting; idle connections close now, busy ones after their exchange. */
  startDrain(): void {
    this.ctx.draining = true;
    for (const s of this.servers) s.close();
    this.https?.close();
    for (const c of [...this.connections]) c.drain();
    this.h2.drain();
  }

  /** Client connections still open (HTTP/1.1 and HTTP/2). */
  get activeConnections(): number {
    return this.connections.size + this.h2.sessions.size;
  }

  closeAll(): void {
    for (const c of [...this.connections]) c.closeNow();
    this.h2.closeAll();
    this.pools.closeAll();
  }
}

export function listen(server: net.Server, opts: ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    const lo: net.ListenOptions = { host: opts.host, port: opts.port, backlog: 4096 };
    if (opts.reusePort) (lo as net.ListenOptions & { reusePort?: boolean }).reusePort = true;
    server.listen(lo, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
