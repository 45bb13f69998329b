// The request matcher built from a route table: host → server by Map lookups (exact host, then
// the one-label wildcard, then the catch-all), path → route by Map lookups over the path's
// element boundaries (Exact first, then the longest Prefix), or an ordered regex list for
// servers in ingress-nginx regex mode. Built once per table; matching allocates only the
// candidate substrings. Host names: rule hosts first, then from-to-www redirect names, then
// server-alias names (the first claim of a name wins).

import { defaultRoutePolicy, type RoutePolicy } from '../compile/policy.ts';
import type { GlobalConfig } from '../compile/config.ts';
import { buildSteps, type Step } from './policy/pipeline.ts';
import './policy/steps/index.ts';
import type { Fallback, Route, RouteTable, Server } from '../routes/table.ts';
import type { BackendRegistry, BackendRuntime } from './upstream/backends.ts';
import { compileRouteRegex, type RouteRegex } from './route-regex.ts';
import { toByteString } from '../routes/paths.ts';

/** What a request is sent to: a matched route, or a server's fallback. */
export class Target {
  readonly route: Route | null;
  readonly server: ServerRuntime;
  readonly policy: RoutePolicy;
  /** Backend runtime, or null: 503 when `service` is set, 404 otherwise. */
  readonly backend: BackendRuntime | null;
  readonly backendKey: string | null;
  readonly namespace: string;
  readonly ingress: string;
  readonly service: string;
  readonly servicePort: string;
  /** Ingress path (metrics `path` label). */
  readonly path: string;
  readonly regex: RouteRegex | null;
  /** Per-target cache of metric children, owned by the metrics module. */
  metrics: Map<number, unknown> | null = null;
  /** Global options of the table this target belongs to. */
  readonly cfg: GlobalConfig;
  /** Policy steps this target needs, in pipeline order (empty for a plain route). */
  readonly steps: Step[];
  /** Step state precompiled per target (regexes, CIDR sets, verifiers), keyed by step. */
  readonly state = new Map<string, unknown>();
  /** The live backends, for steps that send elsewhere (default-backend, custom-http-errors). */
  readonly registry: BackendRegistry;

  constructor(server: ServerRuntime, route: Route | null, fallback: Fallback | null, backends: BackendRegistry, cfg: GlobalConfig) {
    this.server = server;
    this.cfg = cfg;
    this.registry = backends;
    this.route = route;
    const src = route?.source ?? fallback?.source ?? null;
    const svc = route?.service ?? fallback?.service ?? null;
    this.policy = route ? route.policy : fallback!.policy;
    this.backendKey = route ? route.backend : fallback!.backend;
    this.backend = this.backendKey === null ? null : (backends.lookup(this.backendKey, this.policy.protocol) ?? null);
    this.namespace = src?.namespace ?? svc?.namespace ?? '';
    this.ingress = src?.ingress ?? '';
    this.service = svc?.name ?? '';
    this.servicePort = svc?.port ?? '';
    this.path = route?.path ?? '';
    this.regex = route !== null && route.match === 'regex' ? compileRouteRegex(toByteString(route.matchPath)) : null;
    this.steps = buildSteps(this);
  }

  /** True when nothing is configured to answer (built-in 404). */
  get notFound(): boolean {
    return this.backendKey === null && this.service === '';
  }
}

export class ServerRuntime {
  readonly server: Server;
  readonly exact = new Map<string, Target>();
  readonly prefix = new Map<string, Target>();
  readonly regexes: Target[] = [];
  readonly fallback: Target;
  maxPrefix = 0;
  /** from-to-www-redirect: this server only redirects to that host (see steps/www-redirect.ts). */
  readonly redirectTo: string | null;
  /** --default-backend-service backend key (custom-http-errors without a default-backend annotation). */
  readonly defaultBackend: string | null;

  constructor(server: Server, backends: BackendRegistry, cfg: GlobalConfig, defaultBackend: string | null = null, redirectTo: string | null = null) {
    this.server = server;
    this.redirectTo = redirectTo;
    this.defaultBackend = defaultBackend;
    this.fallback = new Target(this, null, server.fallback, backends, cfg);
    for (const r of server.routes) {
      const t = new Target(this, r, null, backends, cfg);
      if (r.match === 'exact') this.exact.set(r.matchPath, t);
      else if (r.match === 'prefix') {
        this.prefix.set(r.matchPath, t);
        if (r.matchPath.length > this.maxPrefix) this.maxPrefix = r.matchPath.length;
      } else this.regexes.push(t);
    }
  }

  /** Spec precedence: Exact, then the longest element-wise Prefix; regex servers: first match. */
  match(path: string): Target {
    if (this.regexes.length > 0) {
      for (let i = 0; i < this.regexes.length; i++) {
        const t = this.regexes[i]!;
        if (t.regex!.test(path)) return t;
      }
    }
    const e = this.exact.get(path);
    if (e !== undefined) return e;
    const prefix = this.prefix;
    if (prefix.size === 0) return this.fallback;
    const max = this.maxPrefix;
    let end = path.length;
    if (end <= max) {
      const t = prefix.get(path);
      if (t !== undefined) return t;
    }
    for (;;) {
      end = path.lastIndexOf('/', end - 1);
      if (end <= 0) break;
      if (end <= max) {
        const t = prefix.get(path.slice(0, end));
        if (t !== undefined) return t;
      }
    }
    return prefix.get('/') ?? this.fallback;
  }
}

export class Router {
  readonly table: RouteTable;
  readonly #exact = new Map<string, ServerRuntime>();
  readonly #wildcard = new Map<string, ServerRuntime>();
  readonly catchAll: ServerRuntime;
  readonly servers: ServerRuntime[] = [];

  constructor(table: RouteTable, backends: BackendRegistry) {
    this.table = table;
    const db = table.defaultBackend ?? null;
    this.catchAll = new ServerRuntime(table.catchAll, backends, table.global, db);
    for (const s of table.servers) {
      const rt = new ServerRuntime(s, backends, table.global, db);
      this.servers.push(rt);
      if (s.wildcard) this.#wildcard.set(s.host.slice(2), rt);
      else this.#exact.set(s.host, rt);
    }
    for (const s of table.servers) {
      if (s.redirectFrom === null || this.#exact.has(s.redirectFrom)) continue;
      this.#exact.set(s.redirectFrom, redirectServer(s.redirectFrom, s.host, backends, table.global));
    }
    for (const rt of this.servers) {
      for (const a of rt.server.aliases) {
        if (a.startsWith('*.')) {
          if (!this.#wildcard.has(a.slice(2))) this.#wildcard.set(a.slice(2), rt);
        } else if (!this.#exact.has(a)) this.#exact.set(a, rt);
      }
    }
  }

  /** `hostname` is lower-case, without port. */
  findServer(hostname: string): ServerRuntime {
    const e = this.#exact.get(hostname);
    if (e !== undefined) return e;
    if (this.#wildcard.size > 0) {
      const dot = hostname.indexOf('.');
      if (dot > 0) {
        const w = this.#wildcard.get(hostname.slice(dot + 1));
        if (w !== undefined) return w;
      }
    }
    return this.catchAll;
  }

  route(hostname: string, path: string): Target {
    return this.findServer(hostname).match(path);
  }
}

/** The extra server ingress-nginx creates for from-to-www-redirect: no routes, only the redirect. */
function redirectServer(from: string, to: string, backends: BackendRegistry, cfg: GlobalConfig): ServerRuntime {
  const server: Server = {
    host: from,
    wildcard: false,
    regex: false,
    routes: [],
    fallback: { service: null, backend: null, source: null, policy: defaultRoutePolicy(cfg) },
    tls: null,
    aliases: [],
    redirectFrom: null,
  };
  return new ServerRuntime(server, backends, cfg, null, to);
}
