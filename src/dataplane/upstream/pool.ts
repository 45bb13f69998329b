// Keep-alive connections to one endpoint (address:port, plain or TLS). Idle sockets are kept
// LIFO (the most recently used is the warmest and least likely to have been closed by the
// peer). Pools live in a registry keyed by endpoint, outside the route table, so a table swap
// keeps every warm connection.

import net from 'node:net';
import tls from 'node:tls';
import { clock, sweeper, type Timed } from '../clock.ts';
import { H2Pool } from './h2.ts';
import { poolDebug, type LinkPool, type PoolLimits, type UpstreamLink, type UpstreamOwner } from './link.ts';
import { tlsConnectOptions, type TlsUpstreamOptions } from './tls-client.ts';

export { poolDebug } from './link.ts';
export type { PoolLimits, UpstreamOwner } from './link.ts';
export type { TlsUpstreamOptions } from './tls-client.ts';

/**
 * Plain connections read into a buffer of their own (net `onread`) instead of a fresh one per
 * read: a 1 MiB response is 16 reads, and allocating each (with the GC work of freeing it) cost
 * more CPU, on V8's helper threads, than the proxying itself. The buffer is replaced only when
 * the owner still holds the last chunk (a client write that did not complete at once); owners
 * that always keep chunks get exact-size copies, as Node's own reads would be.
 */
const READ_BUFFER_SIZE = 64 * 1024;

export class UpstreamConn implements Timed, UpstreamLink {
  readonly socket: net.Socket;
  readonly pool: UpstreamPool;
  owner: UpstreamOwner | null = null;
  connected = false;
  closed = false;
  /** Requests sent on this connection so far. */
  requests = 0;
  readonly createdAt = clock.now;
  deadline = 0;
  readonly #onConnect = (): void => {
    this.connected = true;
    if (this.owner !== null) this.owner.upConnected(this);
  };
  readonly #onData = (chunk: Buffer): void => {
    if (this.owner !== null) this.owner.upData(this, chunk);
    else this.destroy(); // bytes on an idle connection: the peer is confused, drop it
  };
  #readBuf: Buffer | null = null;
  readonly #nextReadBuffer = (): Buffer => {
    const b = this.#readBuf;
    if (b !== null) return b;
    return (this.#readBuf = Buffer.allocUnsafeSlow(READ_BUFFER_SIZE));
  };
  readonly #onRead = (nread: number, buf: Uint8Array): boolean => {
    const owner = this.owner;
    if (owner === null) {
      this.destroy(); // bytes on an idle connection: the peer is confused, drop it
      return false;
    }
    if (owner.upCopyChunks) {
      owner.upData(this, Buffer.from((buf as Buffer).subarray(0, nread)));
      return true;
    }
    owner.upData(this, (buf as Buffer).subarray(0, nread));
    // Still held (a client write that did not complete): the next read gets a new buffer.
    if (!owner.upChunkReleased()) this.#readBuf = null;
    return true;
  };
  readonly #onClose = (): void => this.#closed(null);
  readonly #onError = (err: Error): void => this.#closed(err);
  readonly #onEnd = (): void => {
    // Half-close from the upstream: treat as close (we never half-close upstream requests).
    this.#closed(null);
  };
  readonly #onDrain = (): void => {
    if (this.owner !== null) this.owner.upDrain(this);
  };

  constructor(pool: UpstreamPool, owner: UpstreamOwner) {
    this.pool = pool;
    this.owner = owner;
    if (pool.tls !== null) {
      this.socket = tls.connect(tlsConnectOptions(pool.address, pool.port, pool.tls, 'http/1.1'));
      this.socket.once('secureConnect', this.#onConnect);
    } else {
      this.socket = net.connect({ host: pool.address, port: pool.port, noDelay: true, onread: { buffer: this.#nextReadBuffer, callback: this.#onRead } });
      this.socket.once('connect', this.#onConnect);
    }
    this.socket.setNoDelay(true);
    if (pool.tls !== null) this.socket.on('data', this.#onData);
    this.socket.on('end', this.#onEnd);
    this.socket.on('error', this.#onError);
    this.socket.on('close', this.#onClose);
    this.socket.on('drain', this.#onDrain);
    sweeper.add(this);
  }

  /** True when the connection was used before (a failure may be a keep-alive race). */
  get reused(): boolean {
    return this.requests > 1;
  }

  write(data: Buffer | string): boolean {
    return typeof data === 'string' ? this.socket.write(data, 'latin1') : this.socket.write(data);
  }

  destroy(): void {
    if (this.closed) return;
    this.socket.destroy();
    this.#closed(null);
  }

  onTimeout(): void {
    // Only idle connections carry a deadline (keep-alive timeout); owners time out themselves.
    if (this.owner === null) this.destroy();
  }

  #closed(err: Error | null): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    poolDebug.log?.('upstream connection closed', { upstream: this.pool.key, requests: this.requests, owned: this.owner !== null, error: err?.message ?? null });
    sweeper.delete(this);
    this.pool.forget(this);
    if (!this.socket.destroyed) this.socket.destroy();
    const owner = this.owner;
    this.owner = null;
    if (owner !== null) {
      this.pool.active--;
      owner.upClosed(this, err);
    }
  }
}

export class UpstreamPool implements LinkPool {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly tls: TlsUpstreamOptions | null;
  readonly #idle: UpstreamConn[] = [];
  /** Connections currently serving a request. */
  active = 0;
  /** Backends referencing this pool; at 0 the pool is retired. */
  refs = 0;
  retired = false;
  limits: PoolLimits;
  /** Connections opened over the pool's lifetime (metrics, tests). */
  opened = 0;

  constructor(key: string, address: string, port: number, tlsOpts: TlsUpstreamOptions | null, limits: PoolLimits) {
    this.key = key;
    this.address = address;
    this.port = port;
    this.tls = tlsOpts;
    this.limits = limits;
  }

  get idleCount(): number {
    return this.#idle.length;
  }

  /** Takes the warmest idle connection, or opens a new one. */
  acquire(owner: UpstreamOwner): UpstreamConn {
    const idle = this.#idle;
    while (idle.length > 0) {
      const c = idle.pop()!;
      if (c.closed || c.socket.destroyed) continue;
      if (clock.now - c.createdAt > this.limits.maxAgeMs) {
        c.destroy();
        continue;
      }
      c.owner = owner;
      c.deadline = 0;
      c.requests++;
      this.active++;
      return c;
    }
    this.opened++;
    poolDebug.log?.('upstream connection opened', { upstream: this.key, idle: idle.length, active: this.active });
    const c = new UpstreamConn(this, owner);
    c.requests = 1;
    this.active++;
    return c;
  }

  /** Returns a connection after a complete exchange; closes it if it should not be kept. */
  release(link: UpstreamLink): void {
    const c = link as UpstreamConn;
    this.active--;
    c.owner = null;
    const l = this.limits;
    if (
      this.retired ||
      c.closed ||
      this.#idle.length >= l.maxIdle ||
      (l.maxRequests > 0 && c.requests >= l.maxRequests) ||
      clock.now - c.createdAt > l.maxAgeMs
    ) {
      c.destroy();
      return;
    }
    c.deadline = clock.now + l.idleTimeoutMs;
    this.#idle.push(c);
  }

  /** Called when an owned connection is abandoned (error, abort): it is destroyed. */
  discard(link: UpstreamLink, why = ''): void {
    const c = link as UpstreamConn;
    poolDebug.log?.('upstream connection discarded', { upstream: this.key, why });
    if (c.owner !== null) this.active--;
    c.owner = null;
    c.destroy();
  }

  forget(c: UpstreamConn): void {
    const i = this.#idle.indexOf(c);
    if (i >= 0) this.#idle.splice(i, 1);
  }

  retire(): void {
    this.retired = true;
    for (const c of this.#idle.splice(0)) c.destroy();
  }
}

export class PoolRegistry {
  readonly pools = new Map<string, LinkPool>();
  limits: PoolLimits = { maxIdle: 320, idleTimeoutMs: 60_000, maxRequests: 10_000, maxAgeMs: 3_600_000 };

  static keyOf(address: string, port: number, tlsOpts: TlsUpstreamOptions | null, h2 = false): string {
    const base = tlsOpts === null ? `${address}:${port}` : `tls:${address}:${port}:${tlsOpts.servername ?? ''}:${tlsOpts.rejectUnauthorized ? 1 : 0}:${tlsOpts.id ?? ''}`;
    return h2 ? `h2:${base}` : base;
  }

  /** Gets or creates the pool and takes a reference on it. `h2`: HTTP/2 sessions (gRPC). */
  ref(address: string, port: number, tlsOpts: TlsUpstreamOptions | null, h2 = false): LinkPool {
    const key = PoolRegistry.keyOf(address, port, tlsOpts, h2);
    let p = this.pools.get(key);
    if (!p) {
      p = h2 ? new H2Pool(key, address, port, tlsOpts, this.limits) : new UpstreamPool(key, address, port, tlsOpts, this.limits);
      this.pools.set(key, p);
    }
    p.refs++;
    return p;
  }

  unref(p: LinkPool): void {
    if (--p.refs > 0) return;
    p.retire();
    this.pools.delete(p.key);
  }

  setLimits(limits: PoolLimits): void {
    this.limits = limits;
    for (const p of this.pools.values()) p.limits = limits;
  }

  closeAll(): void {
    for (const p of this.pools.values()) p.retire();
  }
}
