// The per-route policy: every setting the data plane applies to a request that matched a route,
// already resolved from ingress-nginx's precedence (annotation over ConfigMap over built-in
// default). Plain data, so the table stays serialisable; the data plane precompiles it.

import type { BackendProtocol } from '../routes/table.ts';
import type { GlobalConfig } from './config.ts';

export interface NextUpstream {
  error: boolean;
  timeout: boolean;
  /** Status codes that make the proxy try the next endpoint (http_502 ...). */
  statuses: number[];
  nonIdempotent: boolean;
}

export interface ProxyPolicy {
  connectTimeoutMs: number;
  readTimeoutMs: number;
  sendTimeoutMs: number;
  /** Largest request body accepted, in bytes; 0 = unlimited. */
  bodySizeLimit: number;
  /** Largest upstream response head accepted (proxy-buffer-size). */
  bufferSize: number;
  /** Request bodies up to this size are held in memory so a retry can resend them. */
  clientBodyBufferSize: number;
  requestBuffering: boolean;
  buffering: boolean;
  nextUpstream: NextUpstream;
  /** Total tries including the first; 0 = unlimited (bounded by endpoint count). */
  tries: number;
  /** Overall time budget for retries in ms; 0 = none. */
  nextUpstreamTimeoutMs: number;
  httpVersion: '1.1' | '1.0';
}

export interface TlsRedirectPolicy {
  /** Redirect HTTP to HTTPS when the host has TLS (ssl-redirect, default true). */
  sslRedirect: boolean;
  /** Redirect even without TLS on the Ingress (force-ssl-redirect). */
  forceSslRedirect: boolean;
  preserveTrailingSlash: boolean;
}

/** use-regex / rewrite-target / x-forwarded-prefix (ingress-nginx's rewrite annotations). */
export interface RewritePolicy {
  /** use-regex: the Ingress's paths are regular expressions (the whole host switches to regex mode). */
  useRegex: boolean;
  /** rewrite-target, or null. A location whose path differs from it is rewritten (and its host is in regex mode). */
  target: string | null;
  /** x-forwarded-prefix, sent only with a rewritten request; null or "" sends nothing. May hold $1..$9. */
  xForwardedPrefix: string | null;
}

/** permanent-redirect / temporal-redirect and the options that shape redirect Location headers. */
export interface RedirectPolicy {
  /** Redirect target (temporal wins over permanent), or null. */
  url: string | null;
  code: number;
  /** relative-redirects: a Location starting with "/" stays relative (nginx absolute_redirect off). */
  relative: boolean;
  /** use-port-in-redirects: nginx port_in_redirect on. */
  usePort: boolean;
}

/** custom-http-errors / default-backend. */
export interface ErrorPolicy {
  /** Upstream statuses answered by the error backend instead; [] = pass every status through. */
  codes: number[];
  /** default-backend annotation: backend key of its Service (first port), or null. */
  backend: string | null;
}

export interface RoutePolicy {
  /** Set when an annotation was invalid: the route answers 503 (fail closed), with this reason. */
  denied: string | null;
  proxy: ProxyPolicy;
  protocol: BackendProtocol;
  tls: TlsRedirectPolicy;
  rewrite: RewritePolicy;
  redirect: RedirectPolicy;
  /** upstream-vhost: Host sent upstream (may hold $host, $http_host, $service_name, $namespace, $service_port), or null. */
  upstreamVhost: string | null;
  errors: ErrorPolicy;
}

/** Parses ingress-nginx's proxy-next-upstream value ("error timeout http_502 ..."). */
export function parseNextUpstream(value: string, retryNonIdempotent: boolean): NextUpstream | string {
  const out: NextUpstream = { error: false, timeout: false, statuses: [], nonIdempotent: retryNonIdempotent };
  const words = value.split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return 'expected a list such as "error timeout http_502"';
  for (const w of words) {
    if (w === 'off') {
      if (words.length > 1) return '"off" cannot be combined with other conditions';
      return { error: false, timeout: false, statuses: [], nonIdempotent: false };
    }
    if (w === 'error') out.error = true;
    else if (w === 'timeout') out.timeout = true;
    else if (w === 'non_idempotent') out.nonIdempotent = true;
    else if (w === 'invalid_header') out.error = true;
    else if (/^http_(500|502|503|504|403|404|429)$/.test(w)) out.statuses.push(Number(w.slice(5)));
    else return `unknown condition "${w}" (expected error, timeout, invalid_header, http_500, http_502, http_503, http_504, http_403, http_404, http_429, non_idempotent or off)`;
  }
  out.statuses.sort((a, b) => a - b);
  return out;
}

export function defaultProxyPolicy(cfg: GlobalConfig): ProxyPolicy {
  const nu = parseNextUpstream(cfg['proxy-next-upstream'], cfg['retry-non-idempotent']);
  return {
    connectTimeoutMs: cfg['proxy-connect-timeout'] * 1000,
    readTimeoutMs: cfg['proxy-read-timeout'] * 1000,
    sendTimeoutMs: cfg['proxy-send-timeout'] * 1000,
    bodySizeLimit: cfg['proxy-body-size'],
    bufferSize: cfg['proxy-buffer-size'],
    clientBodyBufferSize: cfg['client-body-buffer-size'],
    requestBuffering: cfg['proxy-request-buffering'] === 'on',
    buffering: cfg['proxy-buffering'] === 'on',
    nextUpstream: typeof nu === 'string' ? { error: true, timeout: true, statuses: [], nonIdempotent: false } : nu,
    tries: cfg['proxy-next-upstream-tries'],
    nextUpstreamTimeoutMs: cfg['proxy-next-upstream-timeout'] * 1000,
    httpVersion: '1.1',
  };
}

export function defaultRoutePolicy(cfg: GlobalConfig): RoutePolicy {
  return {
    denied: null,
    proxy: defaultProxyPolicy(cfg),
    protocol: 'HTTP',
    tls: { sslRedirect: cfg['ssl-redirect'], forceSslRedirect: cfg['force-ssl-redirect'], preserveTrailingSlash: false },
    rewrite: { useRegex: false, target: null, xForwardedPrefix: null },
    redirect: { url: null, code: 0, relative: cfg['relative-redirects'], usePort: false },
    upstreamVhost: null,
    errors: { codes: [...cfg['custom-http-errors']], backend: null },
  };
}
