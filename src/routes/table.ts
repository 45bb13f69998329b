// The route table: compile's output and the data plane's only input. It is plain data (no
// functions, no class instances) so it can be frozen, hashed, diffed in golden files, shown by
// the admin API and shipped to worker processes unchanged. The data plane builds its own fast
// matchers from it (see dataplane/router.ts).

import type { GlobalConfig } from '../compile/config.ts';
import type { RoutePolicy } from '../compile/policy.ts';

export type MatchKind = 'exact' | 'prefix' | 'regex';

/** Where a route or a fallback came from, for logs, metrics labels and /debug/explain. */
export interface RouteSource {
  namespace: string;
  ingress: string;
  /** Index into spec.rules, or -1 for spec.defaultBackend. */
  rule: number;
  /** Index into spec.rules[rule].http.paths, or -1. */
  path: number;
}

export interface Route {
  /** Stable id: `namespace/ingress/rule/path`. */
  id: string;
  source: RouteSource;
  /** The path as written in the Ingress (the `path` metrics label). */
  path: string;
  pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  match: MatchKind;
  /**
   * For `prefix`: the path without its trailing slash ("/" stays "/"). For `exact`: the path.
   * For `regex`: the pattern source (matched case-insensitively, anchored at the start).
   */
  matchPath: string;
  service: ServiceRef | null;
  /** Key into RouteTable.backends; null means "no usable backend" and answers 503. */
  backend: string | null;
  policy: RoutePolicy;
}

export interface ServiceRef {
  namespace: string;
  name: string;
  /** Port as written in the Ingress: a number or a port name. */
  port: string;
}

/** What answers a request that reaches a server but matches none of its routes. */
export interface Fallback {
  service: ServiceRef | null;
  /** Backend key, or null for the built-in 404. */
  backend: string | null;
  source: RouteSource | null;
  policy: RoutePolicy;
}

export interface Server {
  /** Lower-case host; `*.example.com` for a wildcard; `_` for the catch-all server. */
  host: string;
  wildcard: boolean;
  /** ingress-nginx regex mode: use-regex or rewrite-target on any path of this host. */
  regex: boolean;
  /** Routes in match order for regex servers; any order otherwise (the router indexes them). */
  routes: Route[];
  fallback: Fallback;
  /** Certificate to present for this host over TLS, by id into RouteTable.certificates. */
  tls: ServerTLS | null;
  /** Extra names served by this server (server-alias). */
  aliases: string[];
  /** from-to-www-redirect: the other name that redirects to this host. */
  redirectFrom: string | null;
  /** app-root: requests for exactly "/" get a 302 to this path (absent when not set). */
  appRoot?: string;
}

export interface ServerTLS {
  /** Id into RouteTable.certificates, or null to use the default certificate. */
  certificate: string | null;
  /** `namespace/name` of the Secret named by spec.tls, for metrics and errors. */
  secret: string | null;
}

export interface Endpoint {
  /** IP address, or a DNS name for ExternalName services. */
  address: string;
  port: number;
  /** false: serving but terminating, used only when no endpoint is ready. */
  ready: boolean;
  /** Pod name (targetRef) when known, for logs and explain. */
  target?: string;
  zone?: string;
}

export type BackendProtocol = 'HTTP' | 'HTTPS' | 'GRPC' | 'GRPCS';

export interface Backend {
  /** `namespace/service:port` (port as written in the Ingress). */
  key: string;
  namespace: string;
  service: string;
  port: string;
  /** Service port number the Ingress resolved to (for X-Service-Port, explain). */
  servicePort: number;
  /** ExternalName services resolve by DNS instead of EndpointSlices. */
  externalName: string | null;
  endpoints: Endpoint[];
}

export interface Certificate {
  id: string;
  /** `namespace/name` of the Secret, or `default` for the built-in one. */
  secret: string;
  /** PEM chain as given in tls.crt. */
  cert: string;
  /** PEM key (redacted in every dump; see admin). */
  key: string;
  notAfter: string;
  hosts: string[];
}

export interface RouteTable {
  generation: number;
  /** Hash of everything except generation: equal hashes mean equal routing. */
  hash: string;
  servers: Server[];
  /** Requests whose host matches no server. */
  catchAll: Server;
  backends: Record<string, Backend>;
  certificates: Certificate[];
  /** Id (in certificates) of --default-ssl-certificate, or null for the generated one. */
  defaultCertificate: string | null;
  /** Backend key of --default-backend-service (custom-http-errors go there), or null. */
  defaultBackend: string | null;
  global: GlobalConfig;
}
