// The route tables the bench loads, described once and rendered for each proxy: Kubernetes
// objects for sluice (lib/k8s-objects.ts), server blocks for nginx, a map file for HAProxy.
// Every table routes to the same two backend endpoints (backend nginx on two loopback ports).

export interface PathSpec {
  path: string;
  type: 'Prefix' | 'Exact';
  service: string;
}

export interface HostSpec {
  namespace: string;
  ingress: string;
  host: string;
  paths: PathSpec[];
  /** The Ingress has spec.tls for its host (Secret `bench-tls` in its namespace). */
  tls: boolean;
}

export interface RouteSpec {
  name: string;
  hosts: HostSpec[];
  /** Index in `hosts` of the host the load generator targets. */
  target: number;
  /** Request path used for the small-body cases (it matches one of the target's paths). */
  targetPath: string;
  /** Description for the report. */
  describe: string;
}

const NAMESPACES = 50;
const pad = (i: number, w: number): string => String(i).padStart(w, '0');

/**
 * "Realistic" table: `ingresses` Ingresses of 5 paths each (by default 1,000 / 5,000 paths),
 * one host each, spread over 50 namespaces; each Ingress routes to two Services (web, api);
 * every 4th Ingress has TLS. The target is the middle Ingress, path /api/items/42.
 */
export function realisticTable(ingresses = 1000): RouteSpec {
  const w = String(ingresses - 1).length;
  const hosts: HostSpec[] = [];
  for (let i = 0; i < ingresses; i++) {
    const id = pad(i, w);
    hosts.push({
      namespace: `team-${pad(i % NAMESPACES, 2)}`,
      ingress: `app-${id}`,
      host: `app-${id}.bench.test`,
      tls: i % 4 === 0,
      paths: [
        { path: '/', type: 'Prefix', service: `web-${id}` },
        { path: '/api', type: 'Prefix', service: `api-${id}` },
        { path: '/static', type: 'Prefix', service: `web-${id}` },
        { path: '/healthz', type: 'Exact', service: `api-${id}` },
        { path: '/v1/items', type: 'Prefix', service: `api-${id}` },
      ],
    });
  }
  const target = Math.floor(ingresses / 2);
  hosts[target]!.tls = true;
  return {
    name: `realistic-${ingresses}`,
    hosts,
    target,
    targetPath: '/api/items/42',
    describe: `${ingresses.toLocaleString('en-US')} Ingresses / ${(ingresses * 5).toLocaleString('en-US')} paths / ${(ingresses * 2).toLocaleString('en-US')} Services`,
  };
}

/** `n` Ingresses with one host and one path ("/") each, each with its own Service. */
export function hostsTable(n: number): RouteSpec {
  const w = String(n - 1).length;
  const hosts: HostSpec[] = [];
  for (let i = 0; i < n; i++) {
    const id = pad(i, w);
    hosts.push({
      namespace: `team-${pad(i % NAMESPACES, 2)}`,
      ingress: `site-${id}`,
      host: `site-${id}.bench.test`,
      tls: false,
      paths: [{ path: '/', type: 'Prefix', service: `site-${id}` }],
    });
  }
  return { name: `hosts-${n}`, hosts, target: Math.floor(n / 2), targetPath: '/', describe: `${n.toLocaleString('en-US')} hosts (1 Ingress, 1 path, 1 Service each)` };
}

export function targetHost(t: RouteSpec): string {
  return t.hosts[t.target]!.host;
}

/** Distinct (namespace, service) pairs of a table, in first-use order. */
export function servicesOf(t: RouteSpec): { namespace: string; name: string }[] {
  const seen = new Set<string>();
  const out: { namespace: string; name: string }[] = [];
  for (const h of t.hosts) {
    for (const p of h.paths) {
      const k = `${h.namespace}/${p.service}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ namespace: h.namespace, name: p.service });
    }
  }
  return out;
}

// ---------------------------------------------------------------- nginx

export interface NginxRender {
  runDir: string;
  workers: number;
  /** proxy_buffer_size / proxy_buffers size: "4k" (ingress-nginx default) or "64k". */
  bufSize: string;
  httpPort: number;
  httpsPort: number;
  backendPorts: readonly number[];
  certFile: string;
  keyFile: string;
  /** Emit `user root;` (the master runs as root and must not drop workers to nobody). */
  runningAsRoot: boolean;
  /** worker_rlimit_nofile (at most the hard limit, or nginx logs an alert). */
  nofile?: number;
  /** File included in the target host's server block (the route-change case rewrites it). */
  targetInclude?: string;
}

/** Generation `gen` of the nginx route-change include: one extra exact location. */
export function nginxChurnInclude(gen: number): string {
  return `location = /churn-${gen} { proxy_pass http://backends; }\n`;
}

/**
 * nginx as an ingress-nginx-like proxy (the bench-reference settings: upstream keepalive 320,
 * HTTP/1.1 upstream, proxy_buffering off, no access log), with one server block per host and
 * one location per Ingress path, all proxying to one upstream, as ingress-nginx does with its
 * single balancer upstream.
 */
export function renderNginx(t: RouteSpec, r: NginxRender): string {
  const L: string[] = [];
  if (r.runningAsRoot) L.push('user root;');
  L.push(
    `worker_processes ${r.workers};`,
    `worker_rlimit_nofile ${Math.min(65536, r.nofile ?? 65536)};`,
    `pid ${r.runDir}/proxy-nginx.pid;`,
    `error_log ${r.runDir}/logs/proxy-nginx.err warn;`,
    'events { worker_connections 16384; }',
    'http {',
    '    access_log off;',
    '    default_type text/plain;',
    '    keepalive_requests 10000000;',
    '    keepalive_timeout 75s;',
    '    server_names_hash_max_size 65536;',
    '    server_names_hash_bucket_size 128;',
    `    client_body_temp_path ${r.runDir}/tmp/proxy-body;`,
    `    proxy_temp_path       ${r.runDir}/tmp/proxy-temp;`,
    `    fastcgi_temp_path     ${r.runDir}/tmp/fastcgi; uwsgi_temp_path ${r.runDir}/tmp/uwsgi; scgi_temp_path ${r.runDir}/tmp/scgi;`,
    '    upstream backends {',
    ...r.backendPorts.map((p) => `        server 127.0.0.1:${p};`),
    '        keepalive 320;',
    '        keepalive_requests 10000000;',
    '        keepalive_timeout 60s;',
    '    }',
    `    ssl_certificate     ${r.certFile};`,
    `    ssl_certificate_key ${r.keyFile};`,
    '    ssl_protocols TLSv1.2 TLSv1.3;',
    '    ssl_session_cache shared:SSL:10m;',
    '    proxy_http_version 1.1;',
    '    proxy_set_header Connection "";',
    '    proxy_set_header Host $host;',
    '    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '    proxy_buffering off;',
    `    proxy_buffer_size ${r.bufSize};`,
    `    proxy_buffers 8 ${r.bufSize};`,
    '    server {',
    `        listen 127.0.0.1:${r.httpPort} reuseport backlog=4096 default_server;`,
    `        listen 127.0.0.1:${r.httpsPort} ssl reuseport backlog=4096 default_server;`,
    '        server_name _;',
    '        location / { return 404; }',
    '    }',
  );
  for (const [i, h] of t.hosts.entries()) {
    L.push('    server {', `        listen 127.0.0.1:${r.httpPort};`, `        listen 127.0.0.1:${r.httpsPort} ssl;`, `        server_name ${h.host};`);
    if (i === t.target && r.targetInclude) L.push(`        include ${r.targetInclude};`);
    for (const p of h.paths) {
      L.push(`        location ${p.type === 'Exact' ? '= ' : ''}${p.path} { proxy_pass http://backends; }`);
    }
    L.push('    }');
  }
  L.push('}');
  return L.join('\n') + '\n';
}

// ---------------------------------------------------------------- haproxy

export interface HaproxyRender {
  threads: number;
  httpPort: number;
  httpsPort: number;
  backendPorts: readonly number[];
  /** cert + key in one PEM. */
  combinedPem: string;
  mapFile: string;
}

/** Map file for `base,map_beg()`: "host/path backend" per Ingress path (all to one backend). */
export function renderHaproxyMap(t: RouteSpec): string {
  const L: string[] = [];
  for (const h of t.hosts) for (const p of h.paths) L.push(`${h.host}${p.path} be`);
  return L.join('\n') + '\n';
}

/**
 * HAProxy in http mode (bench-reference settings: http-reuse safe, forwardfor, no logging).
 * Routing by Host + path prefix goes through one map lookup (a prefix tree).
 */
export function renderHaproxy(r: HaproxyRender): string {
  return [
    'global',
    `    nbthread ${r.threads}`,
    '    maxconn 8000',
    '    ssl-default-bind-options ssl-min-ver TLSv1.2',
    '',
    'defaults',
    '    mode http',
    '    option http-keep-alive',
    '    option forwardfor',
    '    timeout connect 5s',
    '    timeout client 75s',
    '    timeout server 75s',
    '    timeout http-keep-alive 75s',
    '',
    'frontend fe',
    `    bind 127.0.0.1:${r.httpPort} backlog 4096`,
    `    bind 127.0.0.1:${r.httpsPort} ssl crt ${r.combinedPem} backlog 4096`,
    `    use_backend %[base,map_beg(${r.mapFile},be404)]`,
    '',
    'backend be',
    '    balance roundrobin',
    '    http-reuse safe',
    ...r.backendPorts.map((p, i) => `    server s${i + 1} 127.0.0.1:${p}`),
    '',
    'backend be404',
    '    http-request return status 404',
    '',
  ].join('\n');
}
