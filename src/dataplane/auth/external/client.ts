// HTTP client for auth subrequests: one keep-alive undici Pool per auth service origin, shared by
// every route that uses it and kept across route-table swaps (least recently used pools beyond
// MAX_POOLS are closed, which bounds origins built from variables such as https://$host/auth).
//
// Like the auth location ingress-nginx generates: the request has no body; TLS sends SNI but does
// not verify the certificate (nginx's proxy_ssl_verify defaults to off); connect, send and read
// timeouts are nginx's proxy defaults (60 s each), as the auth location sets none.

import type { Pool } from 'undici';

// undici costs ~30 MB of RSS per process: loaded on the first auth request, not at start-up
// (most installations, and every worker that never sees auth-url, never need it).
let PoolClass: typeof Pool | null = null;
async function loadPool(): Promise<typeof Pool> {
  PoolClass ??= (await import('undici')).Pool;
  return PoolClass;
}

export interface AuthAnswer {
  status: number;
  /** Response headers (lower-case names; repeated headers as arrays). */
  headers: Record<string, string | string[] | undefined>;
}

export const AUTH_TIMEOUT_MS = 60_000;
const MAX_POOLS = 256;
/** Bodies of auth answers are not used; larger ones are not drained (the connection is dropped). */
const MAX_DRAIN = 64 * 1024;

const pools = new Map<string, Pool>();

function poolFor(PoolCtor: typeof Pool, origin: string): Pool {
  let p = pools.get(origin);
  if (p !== undefined) {
    // Recency order for eviction.
    pools.delete(origin);
    pools.set(origin, p);
    return p;
  }
  p = new PoolCtor(origin, {
    connect: { timeout: AUTH_TIMEOUT_MS, rejectUnauthorized: false },
    headersTimeout: AUTH_TIMEOUT_MS,
    bodyTimeout: AUTH_TIMEOUT_MS,
    keepAliveTimeout: 60_000,
  });
  pools.set(origin, p);
  while (pools.size > MAX_POOLS) {
    const [oldest, old] = pools.entries().next().value!;
    pools.delete(oldest);
    void old.close().catch(() => {});
  }
  return p;
}

/**
 * Sends one auth subrequest. `headers` is a flat [name, value, ...] list (Host included).
 * Resolves with the answer; rejects on connection errors and timeouts.
 */
export async function sendAuthRequest(url: URL, method: string, headers: string[]): Promise<AuthAnswer> {
  const PoolCtor = PoolClass ?? (await loadPool());
  const res = await poolFor(PoolCtor, url.origin).request({
    path: url.pathname + url.search,
    method: method as 'GET',
    headers,
    headersTimeout: AUTH_TIMEOUT_MS,
    bodyTimeout: AUTH_TIMEOUT_MS,
  });
  const length = Number(res.headers['content-length'] ?? NaN);
  if (method === 'HEAD' || length === 0) await res.body.dump();
  else await res.body.dump({ limit: Number.isFinite(length) ? Math.min(length + 1, MAX_DRAIN) : MAX_DRAIN });
  return { status: res.statusCode, headers: res.headers };
}

/** Closes every pool (shutdown, tests). */
export async function closeAuthPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close().catch(() => {})));
}
