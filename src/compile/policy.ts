// The per-route policy: every setting the data plane applies to a request that matched a route,
// already resolved from ingress-nginx's precedence (annotation over ConfigMap over built-in
// default). Plain data, so the table stays serialisable; the data plane precompiles it.

import type { BackendProtocol } from '../routes/table.ts';
import { parseCidr, formatCidr } from '../net/cidr.ts';
import type { ExternalAuthPolicy } from './auth/external.ts';
import { globalExternalAuth } from './auth/global.ts';
import type { GlobalConfig } from './config.ts';

export type { ExternalAuthPolicy } from './auth/external.ts';

export interface NextUpstream {
  error: boolean;
  timeout: boolean;
  /** invalid_header: an empty, malformed or too big response head (nginx keeps it apart from error). */
  invalidHeader: boolean;
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

/** TLS towards the pods (proxy-ssl-* with backend-protocol HTTPS/GRPCS), from proxy-ssl-secret. */
export interface UpstreamTlsPolicy {
  /** `namespace/name` of proxy-ssl-secret. */
  secret: string;
  /** proxy-ssl-verify: check the pod's certificate against `ca` and `name`. */
  verify: boolean;
  /** ca.crt of the Secret (PEM). */
  ca: string | null;
  /** tls.crt / tls.key of the Secret: the client certificate presented to the pod (redacted in dumps). */
  cert: string | null;
  key: string | null;
  /** proxy-ssl-name: the name verified (and sent as SNI); null = the Service's cluster name. */
  name: string | null;
  /** proxy-ssl-server-name: send SNI. */
  serverName: boolean;
  /** proxy-ssl-protocols as Node TLS versions, and proxy-ssl-ciphers. */
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  maxVersion: 'TLSv1.2' | 'TLSv1.3';
  ciphers: string | null;
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

/** Client address lists (nginx allow/deny in the location), canonical CIDRs. */
export interface AccessPolicy {
  /** allowlist-source-range, else the ConfigMap whitelist-source-range; null = no allowlist, [] = nobody. */
  allow: string[] | null;
  /** denylist-source-range, else the ConfigMap denylist-source-range. */
  deny: string[];
}

/** auth-type: basic with the users of auth-secret. */
export interface BasicAuthPolicy {
  realm: string;
  /** `namespace/name` of the Secret. */
  secret: string;
  secretType: 'auth-file' | 'auth-map';
  /** The Secret's data (base64) the verifier needs: key `auth`, or every key for auth-map. Redacted in admin output. */
  data: Record<string, string>;
}

/** enable-cors and the cors-* annotations, as ingress-nginx's CORS template applies them. */
export interface CorsPolicy {
  /** `*` (any origin, sent as a literal `*`), or lower-case origin patterns (scheme://host[:port], `*.` for one label, or `null`). */
  origins: string[];
  /** Header values, sent as written (validated). */
  methods: string;
  headers: string;
  /** '' = no Access-Control-Expose-Headers. */
  exposeHeaders: string;
  credentials: boolean;
  maxAge: number;
}

export type AffinityMode = 'balanced' | 'persistent';

/** affinity: cookie and the session-cookie-* annotations (ingress-nginx balancer/sticky*.lua). */
export interface AffinityPolicy {
  mode: AffinityMode;
  cookieName: string;
  /** null: the Ingress path of the route. */
  path: string | null;
  domain: string | null;
  /** Seconds added to now for Expires; null = no Expires. */
  expires: number | null;
  maxAge: number | null;
  sameSite: 'None' | 'Lax' | 'Strict' | null;
  conditionalSameSiteNone: boolean;
  /** Secure even over plain HTTP (Secure is always set over HTTPS). */
  secure: boolean;
  partitioned: boolean;
  changeOnFailure: boolean;
}

export interface RoutePolicy {
  /** Set when an annotation was invalid: the route answers 503 (fail closed), with this reason. */
  denied: string | null;
  proxy: ProxyPolicy;
  protocol: BackendProtocol;
  /** Set by proxy-ssl-secret; null = TLS without verification (the default, as ingress-nginx). */
  upstreamTls: UpstreamTlsPolicy | null;
  tls: TlsRedirectPolicy;
  rewrite: RewritePolicy;
  redirect: RedirectPolicy;
  /** upstream-vhost: Host sent upstream (may hold $host, $http_host, $service_name, $namespace, $service_port), or null. */
  upstreamVhost: string | null;
  errors: ErrorPolicy;
  access: AccessPolicy;
  basicAuth: BasicAuthPolicy | null;
  /** auth-url, or the ConfigMap global-auth-url. */
  externalAuth: ExternalAuthPolicy | null;
  cors: CorsPolicy | null;
  affinity: AffinityPolicy | null;
}

/** Canonical valid entries of a CIDR list (invalid ones are reported with the ConfigMap). */
export function canonicalCidrs(list: readonly string[]): string[] {
  const out: string[] = [];
  for (const e of list) {
    const c = parseCidr(e);
    if (c !== null) out.push(formatCidr(c));
  }
  return out;
}

/** Parses ingress-nginx's proxy-next-upstream value ("error timeout http_502 ..."). */
export function parseNextUpstream(value: string, retryNonIdempotent: boolean): NextUpstream | string {
  const out: NextUpstream = { error: false, timeout: false, invalidHeader: false, statuses: [], nonIdempotent: retryNonIdempotent };
  const words = value.split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return 'expected a list such as "error timeout http_502"';
  for (const w of words) {
    if (w === 'off') {
      if (words.length > 1) return '"off" cannot be combined with other conditions';
      return { error: false, timeout: false, invalidHeader: false, statuses: [], nonIdempotent: false };
    }
    if (w === 'error') out.error = true;
    else if (w === 'timeout') out.timeout = true;
    else if (w === 'non_idempotent') out.nonIdempotent = true;
    else if (w === 'invalid_header') out.invalidHeader = true;
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
    nextUpstream: typeof nu === 'string' ? { error: true, timeout: true, invalidHeader: false, statuses: [], nonIdempotent: false } : nu,
    tries: cfg['proxy-next-upstream-tries'],
    nextUpstreamTimeoutMs: cfg['proxy-next-upstream-timeout'] * 1000,
    httpVersion: '1.1',
  };
}

/** Reason given to routes denied because the ConfigMap global auth settings are invalid. */
export const GLOBAL_AUTH_DENIED = 'invalid ConfigMap global-auth-* settings';

export function defaultRoutePolicy(cfg: GlobalConfig): RoutePolicy {
  const global = globalExternalAuth(cfg);
  const allow = cfg['whitelist-source-range'];
  return {
    denied: global.error !== null ? GLOBAL_AUTH_DENIED : null,
    proxy: defaultProxyPolicy(cfg),
    protocol: 'HTTP',
    upstreamTls: null,
    tls: { sslRedirect: cfg['ssl-redirect'], forceSslRedirect: cfg['force-ssl-redirect'], preserveTrailingSlash: false },
    // A ConfigMap allowlist whose entries are all invalid allows nobody (fail closed).
    access: { allow: allow.length > 0 ? canonicalCidrs(allow) : null, deny: canonicalCidrs(cfg['denylist-source-range']) },
    basicAuth: null,
    externalAuth: global.policy,
    rewrite: { useRegex: false, target: null, xForwardedPrefix: null },
    redirect: { url: null, code: 0, relative: cfg['relative-redirects'], usePort: false },
    upstreamVhost: null,
    errors: { codes: [...cfg['custom-http-errors']], backend: null },
    cors: null,
    affinity: null,
  };
}
