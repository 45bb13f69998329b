// compile: snapshot of objects → route table + per-object diagnostics. A pure function: no I/O,
// no clock, no globals. Same input, same output; the controller passes the generation number.
//
// Order of work (each step only reads what earlier steps produced):
//   1. global options from the ConfigMap
//   2. which Ingresses are ours (class selection), oldest first
//   3. per Ingress: annotations → policy, rules → routes, defaultBackend → fallbacks
//   4. servers sorted by host, table hashed

import { createHash } from 'node:crypto';
import { formatRef, keyOf, refOf, type Ingress, type IngressServiceBackend, type ObjectRef } from '../model/k8s.ts';
import type { Snapshot } from '../store/store.ts';
import type { Backend, Fallback, RouteSource, RouteTable, Server, ServiceRef } from '../routes/table.ts';
import { parseGlobalConfig, type GlobalConfig } from './config.ts';
import { Diagnostics, type Diagnostic } from './diagnostics.ts';
import { classify, findOurClasses, type ClassOptions } from './ingress-class.ts';
import { checkHost } from './hosts.ts';
import { checkPath } from './paths.ts';
import { backendKey, resolveBackend } from './backends.ts';
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

  controllerFallback(): Fallback {
    const d = this.#controllerDefault;
    return { service: d?.service ?? null, backend: d?.backend ?? null, source: null, policy: this.#defaultPolicy };
  }

  /** Resolves a service backend, recording problems against the Ingress field. */
  backendFor(ing: Ingress, ref: IngressServiceBackend, field: string): { service: ServiceRef; backend: string | null } {
    const ns = ing.metadata.namespace!;
    const port = ref.port.number !== undefined ? String(ref.port.number) : (ref.port.name ?? '');
    const service: ServiceRef = { namespace: ns, name: ref.name, port };
    const r = resolveBackend(this.#snap, ns, ref);
    if (!r.ok) {
      this.#diags.error(refOf(ing), r.reason, field, `${r.message}; requests for this path get 503`);
      return { service, backend: null };
    }
    // Endpoint state is not a configuration problem (it changes without a compile); the admin
    // API reports backends without endpoints live.
    if (!this.backends.has(r.backend.key)) this.backends.set(r.backend.key, r.backend);
    return { service, backend: r.backend.key };
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
          route: {
            id: `${ns}/${name}/${ri}/${pi}`,
            source: { namespace: ns, ingress: name, rule: ri, path: pi },
            path: pc.path,
            pathType: p.pathType!,
            match: pc.match,
            matchPath: pc.matchPath,
            service: b.service,
            backend: b.backend,
            policy,
          },
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
    const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16);
    return { generation, hash, ...body };
  }

  /**
   * Aliases and from-to-www names are served with their host's certificate when it covers them
   * (ingress-nginx adds them to its certificate map only then); otherwise the default one.
   */
  #extraTlsNames(servers: readonly Server[], certificates: ReturnType<typeof buildCertificates>['certificates']): void {
    const claimed = new Set<string>();
    for (const c of certificates) for (const h of c.hosts) claimed.add(h);
    for (const s of servers) {
      const id = s.tls?.certificate;
      if (!id) continue;
      const cert = certificates.find((c) => c.id === id);
      if (!cert) continue;
      for (const name of s.redirectFrom !== null ? [...s.aliases, s.redirectFrom] : s.aliases) {
        if (claimed.has(name) || !certificateCovers(cert.cert, name)) continue;
        claimed.add(name);
        cert.hosts.push(name);
      }
      cert.hosts.sort();
    }
  }
}

/**
 * `now` (epoch ms) is the only notion of time compile has (certificate expiry); it is an input so
 * the function stays pure. 0 skips expiry checks.
 */
export function compile(snap: Snapshot, opts: CompileOptions, generation: number, now = 0): CompileResult {
  const diags = new Diagnostics();

  const cmRef = opts.configMap;
  const cm = cmRef ? snap.configMaps.get(cmRef) : undefined;
  const { config: cfg, problems, ignored } = parseGlobalConfig(cm);
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
  mine.sort(ingressOrder);

  const builder = new TableBuilder(snap, opts, cfg, diags);
  const byKey = new Map(reports.map((r) => [r.key, r]));
  const annotations = new Map<string, IngressAnnotations>();
  const referencedSecrets = new Set<string>();
  for (const ing of mine) {
    const ann = parseIngressAnnotations(ing, { cfg, snap, opts, diags, referencedSecrets });
    annotations.set(keyOf(ing), ann);
    const r = builder.addIngress(ing, ann);
    const rep = byKey.get(keyOf(ing))!;
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
  return { table, diagnostics: diags.list, ingresses: reports, referencedSecrets: [...referencedSecrets].sort() };
}

export { formatRef };
