// Runtime state of each backend (Service port): its current endpoints, each tied to a pooled
// connection set, and the round-robin position. Kept across route-table swaps (keyed by backend
// key) so balancing continues smoothly and endpoint-only updates need no recompile.

import type { Backend, Endpoint } from '../../routes/table.ts';
import type { LinkPool } from './link.ts';
import type { PoolRegistry } from './pool.ts';
import type { TlsUpstreamOptions } from './tls-client.ts';
import { tlsOptionsFor, transportKey, type Transport } from './transport.ts';

export class EndpointRuntime {
  readonly address: string;
  readonly port: number;
  readonly ready: boolean;
  readonly target: string;
  readonly pool: LinkPool;
  /** "ip:port" as shown in logs (brackets for IPv6). */
  readonly display: string;

  constructor(ep: Endpoint, pool: LinkPool) {
    this.address = ep.address;
    this.port = ep.port;
    this.ready = ep.ready;
    this.target = ep.target ?? '';
    this.pool = pool;
    this.display = ep.address.includes(':') ? `[${ep.address}]:${ep.port}` : `${ep.address}:${ep.port}`;
  }
}

export class BackendRuntime {
  readonly key: string;
  data: Backend;
  endpoints: EndpointRuntime[] = [];
  #rr = 0;
  readonly #pools: PoolRegistry;
  readonly #tls: TlsUpstreamOptions | null;
  /** gRPC backends are reached over HTTP/2 sessions. */
  readonly #h2: boolean;

  constructor(data: Backend, pools: PoolRegistry, transport: Transport) {
    this.key = data.key;
    this.data = data;
    this.#pools = pools;
    this.#tls = tlsOptionsFor(data, transport);
    this.#h2 = transport.protocol === 'GRPC' || transport.protocol === 'GRPCS';
    this.setEndpoints(data.endpoints);
  }

  /** Replaces the endpoint set, reusing pools (and their warm connections) for kept endpoints. */
  setEndpoints(eps: readonly Endpoint[]): void {
    const next: EndpointRuntime[] = [];
    for (const ep of eps) next.push(new EndpointRuntime(ep, this.#pools.ref(ep.address, ep.port, this.#tls, this.#h2)));
    const old = this.endpoints;
    this.endpoints = next;
    for (const e of old) this.#pools.unref(e.pool);
    if (this.#rr >= next.length) this.#rr = 0;
  }

  /** Round robin over the endpoints, skipping those already tried for this request. */
  pick(exclude: readonly EndpointRuntime[]): EndpointRuntime | null {
    const eps = this.endpoints;
    const n = eps.length;
    if (n === 0) return null;
    for (let k = 0; k < n; k++) {
      const i = this.#rr;
      this.#rr = i + 1 >= n ? 0 : i + 1;
      const e = eps[i]!;
      if (exclude.length === 0 || !containsEndpoint(exclude, e)) return e;
    }
    return null;
  }

  release(): void {
    for (const e of this.endpoints) this.#pools.unref(e.pool);
    this.endpoints = [];
  }
}

function containsEndpoint(list: readonly EndpointRuntime[], e: EndpointRuntime): boolean {
  for (let i = 0; i < list.length; i++) {
    const x = list[i]!;
    if (x === e || (x.address === e.address && x.port === e.port)) return true;
  }
  return false;
}

/** All backends of the live table, reused across swaps. */
export class BackendRegistry {
  readonly #byKey = new Map<string, BackendRuntime>();
  readonly pools: PoolRegistry;

  constructor(pools: PoolRegistry) {
    this.pools = pools;
  }

  get(key: string): BackendRuntime | undefined {
    return this.#byKey.get(key);
  }

  /**
   * Installs a table's backends: existing runtimes are updated in place (endpoints replaced only
   * if they changed), new ones created, unreferenced ones released. `uses` lists each backend key
   * with the transports routes use it with, by transport key (one runtime per key and transport).
   */
  sync(backends: Record<string, Backend>, uses: ReadonlyMap<string, ReadonlyMap<string, Transport>>): void {
    const seen = new Set<string>();
    for (const [key, transports] of uses) {
      const data = backends[key];
      if (data === undefined) continue;
      for (const [tkey, transport] of transports) {
        const rtKey = tkey === 'HTTP' ? key : `${key}|${tkey}`;
        seen.add(rtKey);
        const rt = this.#byKey.get(rtKey);
        if (!rt) {
          this.#byKey.set(rtKey, new BackendRuntime(data, this.pools, transport));
        } else if (rt.data !== data) {
          if (!sameEndpoints(rt.data.endpoints, data.endpoints)) rt.setEndpoints(data.endpoints);
          rt.data = data;
        }
      }
    }
    for (const [k, rt] of this.#byKey) {
      if (!seen.has(k)) {
        rt.release();
        this.#byKey.delete(k);
      }
    }
  }

  /** Endpoint-only update (no recompile): returns false if the backend is unknown. */
  updateEndpoints(key: string, endpoints: Endpoint[]): boolean {
    let found = false;
    for (const [k, rt] of this.#byKey) {
      if (k === key || k.startsWith(`${key}|`)) {
        rt.setEndpoints(endpoints);
        rt.data = { ...rt.data, endpoints };
        found = true;
      }
    }
    return found;
  }

  /** `tkey` from transportKey(). */
  lookup(key: string, tkey: string): BackendRuntime | undefined {
    return this.#byKey.get(tkey === 'HTTP' ? key : `${key}|${tkey}`);
  }

  all(): IterableIterator<BackendRuntime> {
    return this.#byKey.values();
  }
}

function sameEndpoints(a: readonly Endpoint[], b: readonly Endpoint[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.address !== y.address || x.port !== y.port || x.ready !== y.ready) return false;
  }
  return true;
}
