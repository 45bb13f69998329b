// What the HTTP/1.1 exchange needs from an upstream connection, whatever carries it: a pooled
// TCP/TLS socket speaking HTTP/1.1 (pool.ts) or one stream of a pooled HTTP/2 session (h2.ts,
// which translates the HTTP/1.1 bytes it is given). Keeping the exchange on this narrow surface
// is what lets gRPC and h2c upstreams reuse every retry, timeout and policy rule unchanged.

/** The byte sink the exchange writes a request into (a net.Socket satisfies it). */
export interface LinkSocket {
  write(data: Buffer | string, encoding?: BufferEncoding): boolean;
  cork(): void;
  uncork(): void;
  readonly writableNeedDrain: boolean;
  pause(): unknown;
  resume(): unknown;
  end(): unknown;
}

export interface UpstreamLink {
  readonly socket: LinkSocket;
  readonly pool: LinkPool;
  /** The transport is up: the request may be written. */
  readonly connected: boolean;
  /**
   * A failure on this link says nothing about the endpoint and the request may be repeated
   * (a reused keep-alive socket closed under us; an HTTP/2 stream refused by the server).
   */
  readonly reused: boolean;
  write(data: Buffer | string): boolean;
}

export interface UpstreamOwner {
  upConnected(conn: UpstreamLink): void;
  /**
   * `chunk` may be a view of the link's read buffer, overwritten by the next read: an owner that
   * keeps it (or hands it to a write that did not complete) must say so through
   * upChunkReleased, or copy it.
   */
  upData(conn: UpstreamLink, chunk: Buffer): void;
  /** Asked right after upData: true when nothing holds on to that chunk any more. */
  upChunkReleased(): boolean;
  /** Set by owners that always keep chunks (an HTTP/2 bridge): they get exact-size copies. */
  readonly upCopyChunks: boolean;
  /** The upstream closed or failed. `err` is null for a clean close. */
  upClosed(conn: UpstreamLink, err: Error | null): void;
  upDrain(conn: UpstreamLink): void;
}

export interface PoolLimits {
  maxIdle: number;
  idleTimeoutMs: number;
  maxRequests: number;
  maxAgeMs: number;
}

/** Connections (or sessions) to one endpoint, shared by every route that reaches it. */
export interface LinkPool {
  readonly key: string;
  refs: number;
  limits: PoolLimits;
  acquire(owner: UpstreamOwner): UpstreamLink;
  /** After a complete exchange: keep the link for reuse if it may be. */
  release(c: UpstreamLink): void;
  /** Abandon the link (error, abort). */
  discard(c: UpstreamLink, why?: string): void;
  /** No backend references the pool any more: close what is idle, stop reusing the rest. */
  retire(): void;
}

/** Debug hook for connection lifecycle (set when the log level is debug; null costs nothing). */
export const poolDebug: { log: ((msg: string, obj: Record<string, unknown>) => void) | null } = { log: null };
