// The data plane: listeners, live connections, and the route table they read. A new table is
// installed by building a Router and swapping one reference; connections read the reference
// when a request starts, so in-flight requests finish on the table they began with and no
// listener or connection is touched by a configuration change.

import net from 'node:net';
import { headerBuffers, type GlobalConfig } from '../compile/config.ts';
import type { BackendProtocol, Endpoint, RouteTable } from '../routes/table.ts';
import type { RoutePolicy } from '../compile/policy.ts';
import type { ConnContext, DataPlaneLimits, ExchangeSink } from './context.ts';
import { Http1Connection } from './http1/connection.ts';
import { Router } from './router.ts';
import { BackendRegistry } from './upstream/backends.ts';
import { PoolRegistry, poolDebug } from './upstream/pool.ts';
import type { TLSSocket } from 'node:tls';
import { ContextStore, type PemPair } from './tls/contexts.ts';
import { HttpsListener } from './tls/listener.ts';

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

/** Backend keys with the upstream protocols routes use them with. */
export function backendUses(table: RouteTable): Map<string, Set<BackendProtocol>> {
  const uses = new Map<string, Set<BackendProtocol>>();
  const add = (key: string | null, p: BackendProtocol): void => {
    if (key === null) return;
    let s = uses.get(key);
    if (!s) uses.set(key, (s = new Set()));
    s.add(p);
  };
  // default-backend annotations serve with the route's protocol (no endpoints) and plain HTTP
  // (custom-http-errors), as does --default-backend-service for error pages.
  const addPolicy = (backend: string | null, p: RoutePolicy): void => {
    add(backend, p.protocol);
    if (p.errors.backend !== null) {
      add(p.errors.backend, p.protocol);
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
  /** HTTP/2 connection handler, registered by the HTTP/2 module when available. */
  h2: ((socket: TLSSocket) => void) | null = null;
  #table: RouteTable | null = null;

  constructor(opts: DataPlaneOptions, initial: RouteTable) {
    this.backends.sync(initial.backends, backendUses(initial));
    this.ctx = {
      router: new Router(initial, this.backends),
      cfg: initial.global,
      limits: limitsOf(initial.global),
      sink: opts.sink,
      draining: false,
      httpPort: opts.httpPort,
      httpsPort: opts.httpsPort,
      log: opts.log,
      onConnectionClosed: (c) => this.connections.delete(c as Http1Connection),
    };
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
      this.ctx.limits = limitsOf(table.global);
      this.#applyPoolLimits(table.global);
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
    this.connections.add(c);
    return c;
  }

  async listenHttp(opts: ListenOptions): Promise<net.AddressInfo> {
    const server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: false }, (socket) => {
      this.accept(socket, false);
    });
    await listen(server, opts);
    server.on('error', (err) => this.ctx.log('error', { err: err.message }, 'HTTP listener error'));
    this.servers.push(server);
    return server.address() as net.AddressInfo;
  }

  async listenHttps(opts: ListenOptions, ticketKeys: Buffer | null = null): Promise<net.AddressInfo> {
    const h2 = this.h2 !== null && this.ctx.cfg['use-http2'] ? this.h2 : null;
    const l = new HttpsListener(this.contexts, { http1: (s) => this.accept(s, true), h2 }, ticketKeys, (m) => this.ctx.log('error', {}, m));
    await listen(l.server, opts);
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
  }

  get activeConnections(): number {
    return this.connections.size;
  }

  closeAll(): void {
    for (const c of [...this.connections]) c.closeNow();
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
