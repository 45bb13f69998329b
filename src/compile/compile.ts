// compile: snapshot of objects → route table + per-object diagnostics. A pure function: no I/O,
// no clock, no state that shows. Same input, same output; the controller passes the generation
// number. (memo.ts caches results per input object so a recompile costs what changed; the
// caches are invisible in the output — memo.test.ts checks it.)
//
// Order of work (each step only reads what earlier steps produced):
//   1. global options from the ConfigMap
//   2. which Ingresses are ours (class selection), oldest first
//   3. per Ingress: annotations → policy, rules → routes, defaultBackend → fallbacks
//   4. servers sorted by host, table hashed

import { createHash } from 'node:crypto';
import { formatRef, keyOf, refOf, type Ingress, type IngressServiceBackend, type ObjectRef } from '../model/k8s.ts';
import type { Snapshot } from '../store/store.ts';
import type { Backend, Fallback, Route, RouteSource, RouteTable, Server, ServiceRef } from '../routes/table.ts';
import type { GlobalConfig } from './config.ts';
import { Diagnostics, type Diagnostic } from './diagnostics.ts';
import { classify, findOurClasses, type ClassOptions } from './ingress-class.ts';
import { checkHost } from './hosts.ts';
import { checkPath } from './paths.ts';
import { backendKey, resolveBackend } from './backends.ts';
import { cachedJson, globalConfigOf, parseAnnotationsCached, resolveBackendCached } from './memo.ts';
import type { RoutePolicy } from './policy.ts';
import { parseIngressAnnotations, sharedDefaultPolicy, type IngressAnnotations } from './annotations/index.ts';
import { buildCertificates, certificateCovers, type TlsOptions } from './tls.ts';
import { buildLocations, hostAppRoot, isRegexHost, regexRoutes, type PathDraft } from './locations.ts';

export interface CompileOptions extends ClassOptions, TlsOptions {
  /** `namespace/name` of the controller's default backend Service, or null. */
  defaultBackendService: string | null;
  /** `namespace/name` of the global options ConfigMap, or null. */
  configMap: string | null;
  annotationsPrefix: string;
  /** Allow annotations to reference Secrets in other namespaces (auth-secret ns/name). */
  allowCrossNamespaceSecrets: boolean;
}

export interface IngressReport {
  key: string;
  ref: ObjectRef;
  ours: boolean;
  /** Why it is (or is not) ours. */
  class: string;
  generation: number | null;
  hosts: string[];
  routes: number;
  errors: number;
  warnings: number;
}

export interface CompileResult {
  table: RouteTable;
  diagnostics: Diagnostic[];
  ingresses: IngressReport[];
  /** Secrets referenced by annotations (`namespace/name`), sorted: the Kubernetes source fetches these. */
  referencedSecrets: string[];
  /** ConfigMaps referenced by annotations (auth-proxy-set-headers), sorted, like referencedSecrets. */
  referencedConfigMaps: string[];
}

const CATCH_ALL = '_';

interface ServerDraft {
  host: string;
  wildcard: boolean;
  /** Paths in Ingress order; compile turns them into nginx locations at the end (locations.ts). */
  paths: PathDraft[];
  claimed: Map<string, string>;
  fallback: Fallback | null;
  tlsSecret: string | null | undefined;
  fromToWww: boolean;
}

/** A server-alias as requested, in Ingress order (oldest first claims a name). */
interface AliasClaim {
  alias: string;
  host: string;
  ingress: Ingress;
}

/** Oldest first; ties broken by namespace/name, as ingress-nginx orders Ingresses. */
export function ingressOrder(a: Ingress, b: Ingress): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

const routeCache = new WeakMap<Ingress, Map<string, Route>>();

class TableBuilder {
  readonly servers = new Map<string, ServerDraft>();
  readonly backends = new Map<string, Backend>();
  readonly aliasClaims: AliasClaim[] = [];
  readonly #snap: Snapshot;
  readonly #opts: CompileOptions;
  readonly #cfg: GlobalConfig;
  readonly #diags: Diagnostics;
  readonly #defaultPolicy: RoutePolicy;
  #controllerDefault: { service: ServiceRef; backend: string | null } | null = null;

  constructor(snap: Snapshot, opts: CompileOptions, cfg: GlobalConfig, diags: Diagnostics) {
    this.#snap = snap;
    this.#opts = opts;
    this.#cfg = cfg;
    this.#diags = diags;
    this.#defaultPolicy = sharedDefaultPolicy(cfg);
    this.#resolveControllerDefault();
  }

  server(host: string, wildcard: boolean): ServerDraft {
    let s = this.servers.get(host);
    if (!s) {
      s = { host, wildcard, paths: [], claimed: new Map(), fallback: null, tlsSecret: undefined, fromToWww: false };
      this.servers.set(host, s);
    }
    return s;
  }

  /** --default-backend-service: its first port, as ingress-nginx does. */
  #resolveControllerDefault(): void {
    const ref = this.#opts.defaultBackendService;
    if (!ref) return;
    const [ns, name] = ref.split('/') as [string, string];
    const svc = this.#snap.services.get(ref);
    const first = svc?.spec.ports?.[0];
    const service: ServiceRef = { namespace: ns, name, port: first ? String(first.port) : '' };
    if (!svc || !first) {
      this.#controllerDefault = { service, backend: null };
      return;
    }
    const r = resolveBackend(this.#snap, ns, { name, port: { number: first.port } });
    if (r.ok) this.backends.set(r.backend.key, r.backend);
    this.#controllerDefault = { service, backend: r.ok ? r.backend.key : null };
  }

  /** Backend key of --default-backend-service, or null. */
  get controllerDefaultBackend(): string | null {
    return this.#controllerDefault?.backend ?? null;
  }

  /** Makes sure a backend an annotation refers to (default-backend) is in the table. */
  ensureBackend(key: string): void {
    if (this.backends.has(key)) return;
    const m = /^([^/]+)\/([^:]+):(\d+)$/.exec(key);
    if (!m) return;
    const r = resolveBackend(this.#snap, m[1]!, { name: m[2]!, port: { number: Number(m[3]) } });
    if (r.ok) this.backends.set(r.backend.key, r.backend);
  }

  #controllerFallback: Fallback | null = null;

  /** One object shared by every server that uses it (the table hash serialises it once). */
  controllerFallback(): Fallback {
    if (this.#controllerFallback !== null) return this.#controllerFallback;
    const d = this.#controllerDefault;
    return (this.#controllerFallback = { service: d?.service ?? null, backend: d?.backend ?? null, source: null, policy: this.#defaultPolicy });
  }

  /** Resolves a service backend, recording problems against the Ingress field. */
  backendFor(ing: Ingress, ref: IngressServiceBackend, field: string): { service: ServiceRef; backend: string | null } {
    const ns = ing.metadata.namespace!;
    const port = ref.port.number !== undefined ? String(ref.port.number) : (ref.port.name ?? '');
    const service: ServiceRef = { namespace: ns, name: ref.name, port };
    const r = resolveBackendCached(this.#snap, ns, ref);
    if (!r.ok) {
      this.#diags.error(refOf(ing), r.reason, field, `${r.message}; requests for this path get 503`);
      return { service, backend: null };
    }
    // Endpoint state is not a configuration problem (it changes without a compile); the admin
    // API reports backends without endpoints live.
    if (!this.backends.has(r.backend.key)) this.backends.set(r.backend.key, r.backend);
    return { service, backend: r.backend.key };
  }

  /**
   * The Route for path `ri/pi` of `ing`: last compile's object when the Ingress object, the
   * backend and the policy are the same (everything else in a Route derives from the Ingress
   * object and the policy — keep it so), so unchanged routes are shared between tables and hash
   * for free (memo.ts).
   */
  #route(ing: Ingress, ri: number, pi: number, backend: string | null, policy: RoutePolicy, make: () => Route): Route {
    let perIngress = routeCache.get(ing);
    const k = `${ri}/${pi}`;
    const hit = perIngress?.get(k);
    if (hit && hit.backend === backend && hit.policy === policy) return hit;
    const r = make();
    if (!perIngress) routeCache.set(ing, (perIngress = new Map()));
    perIngress.set(k, r);
    return r;
  }

  addIngress(ing: Ingress, ann: IngressAnnotations): { hosts: Set<string>; routes: number } {
    const ref = refOf(ing);
    const ns = ing.metadata.namespace!;
    const name = ing.metadata.name;
    const hosts = new Set<string>();
    let routes = 0;
    const rules = ing.spec.rules ?? [];

    let ingFallback: Fallback | null = null;
    const db = ing.spec.defaultBackend;
    if (db) {
      const source: RouteSource = { namespace: ns, ingress: name, rule: -1, path: -1 };
      if (db.resource) {
        this.#diags.error(ref, 'UnsupportedBackend', 'spec.defaultBackend.resource', 'resource backends are not supported; use a Service');
      } else if (db.service) {
        const b = this.backendFor(ing, db.service, 'spec.defaultBackend.service');
        ingFallback = { ...b, source, policy: ann.policy };
      } else {
        this.#diags.error(ref, 'InvalidBackend', 'spec.defaultBackend', 'set service');
      }
      // An Ingress with a default backend and no rules serves every unknown host (ingress-nginx "catch-all").
      if (ingFallback && rules.length === 0) {
        const s = this.server(CATCH_ALL, false);
        if (!s.fallback) s.fallback = ingFallback;
        else this.#diags.warn(ref, 'PathConflict', 'spec.defaultBackend', `the catch-all default backend is already set by an older Ingress (${s.fallback.source?.namespace}/${s.fallback.source?.ingress})`);
      }
    }

    rules.forEach((rule, ri) => {
      let host = CATCH_ALL;
      let wildcard = false;
      if (rule.host !== undefined && rule.host !== '') {
        const h = checkHost(rule.host);
        if (!h.ok) {
          this.#diags.error(ref, 'InvalidHost', `spec.rules[${ri}].host`, `${h.error}; rule ignored`);
          return;
        }
        host = h.host;
        wildcard = h.wildcard;
      }
      const server = this.server(host, wildcard);
      hosts.add(host);
      // The oldest Ingress that defines a host decides its fallback (its defaultBackend, else the controller's).
      if (!server.fallback && host !== CATCH_ALL) server.fallback = ingFallback ?? this.controllerFallback();
      // A denied Ingress (invalid annotation) changes nothing outside its own paths.
      const effects = ann.policy.denied === null;
      if (effects && host !== CATCH_ALL) for (const a of ann.server.aliases) this.aliasClaims.push({ alias: a, host, ingress: ing });
      if (effects && ann.server.fromToWww) server.fromToWww = true;
      const paths = rule.http?.paths ?? [];
      paths.forEach((p, pi) => {
        const field = `spec.rules[${ri}].http.paths[${pi}]`;
        const policy = ann.pathPolicies.get(`${ri}/${pi}`) ?? ann.policy;
        const written = p.path === undefined || p.path === '' ? '/' : p.path;
        // use-regex, or a rewrite-target other than the path: this path is a regex (ingress-nginx needsRewrite).
        const rw = policy.rewrite;
        const regexPath = rw.useRegex || (rw.target !== null && rw.target !== written);
        const pc = checkPath(p.path, p.pathType, regexPath);
        if (!pc.ok) {
          this.#diags.error(ref, 'InvalidPath', `${field}.path`, `${pc.error}; path ignored`);
          return;
        }
        if (p.backend.resource) {
          this.#diags.error(ref, 'UnsupportedBackend', `${field}.backend.resource`, 'resource backends are not supported; use a Service; path ignored');
          return;
        }
        if (!p.backend.service) {
          this.#diags.error(ref, 'InvalidBackend', `${field}.backend`, 'backend.service is required; path ignored');
          return;
        }
        const claimKey = `${pc.match}\0${pc.matchPath}`;
        const owner = server.claimed.get(claimKey);
        if (owner !== undefined) {
          this.#diags.error(
            ref,
            'PathConflict',
            `${field}.path`,
            `${p.pathType} path "${p.path ?? '/'}" on host ${host === CATCH_ALL ? '(any)' : host} is already served by ${owner}, which is older; path ignored`,
          );
          return;
        }
        server.claimed.set(claimKey, `Ingress ${ns}/${name}`);
        const b = this.backendFor(ing, p.backend.service, `${field}.backend.service`);
        if (policy.errors.backend !== null) this.ensureBackend(policy.errors.backend);
        server.paths.push({
          route: this.#route(ing, ri, pi, b.backend, policy, () => ({
            id: `${ns}/${name}/${ri}/${pi}`,
            source: { namespace: ns, ingress: name, rule: ri, path: pi },
            path: pc.path,
            pathType: p.pathType!,
            match: pc.match,
            matchPath: pc.matchPath,
            service: b.service,
            backend: b.backend,
            policy,
          })),
          written,
          appRoot: ann.policy.denied === null ? ann.server.appRoot : null,
        });
        routes++;
      });
    });
    return { hosts, routes };
  }

  /** Locations, regex mode and app-root of one host (see locations.ts). */
  #serverRoutes(d: ServerDraft): Pick<Server, 'regex' | 'routes'> & { appRoot: string | null } {
    const locations = buildLocations(d.paths);
    const appRoot = hostAppRoot(locations);
    if (!isRegexHost(locations)) return { regex: false, routes: d.paths.map((p) => p.route), appRoot };
    const { routes, invalid } = regexRoutes(locations);
    for (const { draft, error } of invalid) {
      const src = draft.route.source;
      this.#diags.error(
        { kind: 'Ingress', namespace: src.namespace, name: src.ingress },
        'InvalidPath',
        `spec.rules[${src.rule}].http.paths[${src.path}].path`,
        `path "${draft.written}" on host ${d.host === CATCH_ALL ? '(any)' : d.host} is matched as a regular expression (the host uses use-regex or rewrite-target), but ${error}; path ignored`,
      );
    }
    return { regex: true, routes, appRoot };
  }

  /** server-alias claims, oldest first; names that are a real host (or already an alias) are dropped. */
  #aliases(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const owner = new Map<string, AliasClaim>();
    const warned = new Set<string>();
    for (const c of this.aliasClaims) {
      const field = `metadata.annotations["${this.#opts.annotationsPrefix.replace(/\/$/, '')}/server-alias"]`;
      const ref = refOf(c.ingress);
      const once = `${keyOf(c.ingress)}\0${c.alias}`;
      if (c.alias === c.host) continue;
      if (this.servers.has(c.alias)) {
        if (!warned.has(once)) this.#diags.warn(ref, 'IgnoredAnnotation', field, `alias ${c.alias} is ignored: it is the host of an Ingress rule, which takes precedence`);
        warned.add(once);
        continue;
      }
      const prev = owner.get(c.alias);
      if (prev !== undefined) {
        // The same Ingress's later hosts: its aliases belong to its first host (as in ingress-nginx).
        if (prev.ingress !== c.ingress && prev.host !== c.host && !warned.has(once)) {
          this.#diags.warn(ref, 'IgnoredAnnotation', field, `alias ${c.alias} is ignored: an older Ingress (${keyOf(prev.ingress)}) already made it an alias of ${prev.host}`);
          warned.add(once);
        }
        continue;
      }
      owner.set(c.alias, c);
      let list = out.get(c.host);
      if (!list) out.set(c.host, (list = []));
      list.push(c.alias);
    }
    return out;
  }

  /** from-to-www-redirect: the other name of each host that asked for it, unless it is a host itself. */
  #redirects(): Map<string, string> {
    const out = new Map<string, string>();
    const from = new Set<string>();
    for (const d of this.servers.values()) {
      if (!d.fromToWww || d.wildcard || d.host === CATCH_ALL) continue;
      const other = d.host.startsWith('www.') ? d.host.slice(4) : `www.${d.host}`;
      if (this.servers.has(other) || from.has(other)) continue;
      from.add(other);
      out.set(d.host, other);
    }
    return out;
  }

  finish(generation: number, cfg: GlobalConfig, certs: ReturnType<typeof buildCertificates>): RouteTable {
    const aliases = this.#aliases();
    const redirects = this.#redirects();
    const toServer = (d: ServerDraft): Server => {
      const { regex, routes, appRoot } = this.#serverRoutes(d);
      const s: Server = {
        host: d.host,
        wildcard: d.wildcard,
        regex,
        routes,
        fallback: d.fallback ?? this.controllerFallback(),
        tls: certs.serverTls.get(d.host) ?? null,
        aliases: aliases.get(d.host) ?? [],
        redirectFrom: redirects.get(d.host) ?? null,
      };
      if (appRoot !== null) s.appRoot = appRoot;
      return s;
    };
    const catchDraft = this.servers.get(CATCH_ALL) ?? this.server(CATCH_ALL, false);
    const servers = [...this.servers.values()]
      .filter((s) => s.host !== CATCH_ALL)
      .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0))
      .map(toServer);
    const backends: Record<string, Backend> = {};
    for (const k of [...this.backends.keys()].sort()) backends[k] = this.backends.get(k)!;
    this.#extraTlsNames(servers, certs.certificates);
    const body = {
      servers,
      catchAll: toServer(catchDraft),
      backends,
      certificates: certs.certificates,
      defaultCertificate: certs.defaultCertificate,
      defaultBackend: this.controllerDefaultBackend,
      global: cfg,
    };
    return { generation, hash: tableHash(body), ...body };
  }

  /**
   * Aliases and from-to-www names are served with their host's certificate when it covers them
   * (ingress-nginx adds them to its certificate map only then); otherwise the default one.
   */
  #extraTlsNames(servers: readonly Server[], certificates: ReturnType<typeof buildCertificates>['certificates']): void {
    const claimed = new Set<string>();
    for (const c of certificates) for (const h of c.hosts) claimed.add(h);
    // By id, not a scan per server: thousands of TLS hosts made this quadratic.
    const byId = new Map(certificates.map((c) => [c.id, c]));
    for (const s of servers) {
      const id = s.tls?.certificate;
      if (!id || (s.aliases.length === 0 && s.redirectFrom === null)) continue;
      const cert = byId.get(id);
      if (!cert) continue;
      let added = false;
      for (const name of s.redirectFrom !== null ? [...s.aliases, s.redirectFrom] : s.aliases) {
        if (claimed.has(name) || !certificateCovers(cert.cert, name)) continue;
        claimed.add(name);
        cert.hosts.push(name);
        added = true;
      }
      if (added) cert.hosts.sort();
    }
  }
}

const policyIds = new WeakMap<object, string>();

/** Policies stand in by a digest of their content (computed once per policy object). */
function policyReplacer(key: string, value: unknown): unknown {
  if (key !== 'policy' || value === null || typeof value !== 'object') return value;
  let id = policyIds.get(value);
  if (id === undefined) policyIds.set(value, (id = createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16)));
  return id;
}

/**
 * Content hash of a table: equal hashes mean equal routing. Serialised part by part (newline-
 * separated JSON, every field of the table) so that routes and backends reused from the last
 * compile are not serialised again (memo.ts), and each shared policy object counts once by its
 * digest. Certificates count by id, a digest of their PEM content.
 */
function tableHash(body: Omit<RouteTable, 'generation' | 'hash'>): string {
  const parts: string[] = [];
  const server = (srv: Server): void => {
    // Every field of Server, listed (the rest type must stay empty: a new field fails to compile
    // here until it is hashed). Shared objects (fallbacks, routes) are serialised once.
    const { host, wildcard, regex, routes, fallback, tls, aliases, redirectFrom, appRoot, ...rest } = srv;
    const none: Record<string, never> = rest;
    void none;
    parts.push(JSON.stringify([host, wildcard, regex, routes.length, tls, aliases, redirectFrom, appRoot ?? null]), cachedJson(fallback, policyReplacer));
    for (const r of routes) parts.push(cachedJson(r, policyReplacer));
  };
  for (const [field, value] of Object.entries(body)) {
    parts.push(field);
    if (field === 'servers') for (const srv of value as Server[]) server(srv);
    else if (field === 'catchAll') server(value as Server);
    else if (field === 'backends') {
      for (const [k, b] of Object.entries(value as Record<string, Backend>)) parts.push(k, cachedJson(b, policyReplacer));
    } else if (field === 'certificates') parts.push(JSON.stringify((value as RouteTable['certificates']).map((c) => ({ ...c, cert: undefined, key: undefined }))));
    else parts.push(value !== null && typeof value === 'object' ? cachedJson(value, policyReplacer) : JSON.stringify(value));
  }
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

/**
 * `now` (epoch ms) is the only notion of time compile has (certificate expiry); it is an input so
 * the function stays pure. 0 skips expiry checks.
 */
export function compile(snap: Snapshot, opts: CompileOptions, generation: number, now = 0): CompileResult {
  const diags = new Diagnostics();

  const cmRef = opts.configMap;
  const cm = cmRef ? snap.configMaps.get(cmRef) : undefined;
  const { config: cfg, problems, ignored } = globalConfigOf(cm);
  if (cm) {
    for (const p of problems) diags.error(refOf(cm), 'InvalidConfig', `data.${p.key}`, `"${p.value}": ${p.message}`);
    for (const k of ignored) diags.add(refOf(cm), 'info', 'IgnoredConfig', `data.${k}`, 'not a key sluice knows; ignored');
  }

  if (opts.defaultBackendService && !snap.services.has(opts.defaultBackendService)) {
    const [ns, name] = opts.defaultBackendService.split('/') as [string, string];
    diags.error({ kind: 'Service', namespace: ns, name }, 'ServiceNotFound', '', `--default-backend-service ${opts.defaultBackendService} not found; unmatched requests get 503`);
  }

  const ours = findOurClasses(snap, opts, diags);
  const reports: IngressReport[] = [];
  const mine: Ingress[] = [];
  for (const ing of snap.ingresses.values()) {
    const v = classify(ing, snap, ours, opts);
    reports.push({
      key: keyOf(ing),
      ref: refOf(ing),
      ours: v.ours,
      class: v.ours ? v.via : v.why,
      generation: ing.metadata.generation ?? null,
      hosts: [],
      routes: 0,
      errors: 0,
      warnings: 0,
    });
    if (v.ours && !ing.metadata.deletionTimestamp) mine.push(ing);
  }
  // Oldest first (ingressOrder), with keys computed once: Ingresses applied together share a
  // creationTimestamp, and the tie-break would build the keys again for every comparison.
  const order = new Map<Ingress, string>();
  for (const ing of mine) order.set(ing, keyOf(ing));
  mine.sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    const ka = order.get(a)!;
    const kb = order.get(b)!;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });

  const builder = new TableBuilder(snap, opts, cfg, diags);
  const byKey = new Map(reports.map((r) => [r.key, r]));
  const annotations = new Map<string, IngressAnnotations>();
  const referencedSecrets = new Set<string>();
  const referencedConfigMaps = new Set<string>();
  for (const ing of mine) {
    const key = order.get(ing)!;
    const ann = parseAnnotationsCached(ing, { cfg, snap, opts, diags, referencedSecrets, referencedConfigMaps }, parseIngressAnnotations);
    annotations.set(key, ann);
    const r = builder.addIngress(ing, ann);
    const rep = byKey.get(key)!;
    rep.hosts = [...r.hosts].sort();
    rep.routes = r.routes;
  }
  const certs = buildCertificates(mine, snap, opts, diags, builder.servers, now);
  const table = builder.finish(generation, cfg, certs);
  // Route counts as served: regex mode can drop paths it cannot compile (exact copies not counted).
  const served = new Map<string, number>();
  for (const s of [...table.servers, table.catchAll]) {
    for (const r of s.routes) if (!r.id.endsWith('/exact')) served.set(`${r.source.namespace}/${r.source.ingress}`, (served.get(`${r.source.namespace}/${r.source.ingress}`) ?? 0) + 1);
  }
  for (const rep of reports) if (rep.ours) rep.routes = served.get(rep.key) ?? 0;

  for (const d of diags.list) {
    if (d.object.kind !== 'Ingress') continue;
    const rep = byKey.get(`${d.object.namespace}/${d.object.name}`);
    if (!rep) continue;
    if (d.severity === 'error') rep.errors++;
    else if (d.severity === 'warning') rep.warnings++;
  }
  reports.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { table, diagnostics: diags.list, ingresses: reports, referencedSecrets: [...referencedSecrets].sort(), referencedConfigMaps: [...referencedConfigMaps].sort() };
}

export { formatRef };
