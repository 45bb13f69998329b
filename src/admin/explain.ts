// /debug/explain: which server, route, Service and endpoints a request would reach, and why —
// computed by the same Router the data plane uses, so the answer cannot drift from behaviour.

import { redactPolicy } from './redact.ts';
import { normalizePath, prefixKey } from '../routes/paths.ts';
import { hostnameOf } from '../dataplane/http1/request-head.ts';
import type { Router, ServerRuntime, Target } from '../dataplane/router.ts';

export interface Explanation {
  request: { host: string; hostname: string; path: string; normalizedPath: string | null; method: string };
  server: { host: string; kind: 'exact' | 'wildcard' | 'catch-all'; regexMode: boolean };
  decision: 'route' | 'fallback' | 'invalid';
  route: null | { id: string; namespace: string; ingress: string; rule: number; path: string; pathType: string; match: string };
  service: null | { namespace: string; name: string; port: string };
  backend: null | { key: string; endpoints: { address: string; port: number; ready: boolean; pod: string }[] };
  outcome: string;
  why: string[];
  policy: unknown;
  tableGeneration: number;
}

function serverKind(router: Router, s: ServerRuntime): 'exact' | 'wildcard' | 'catch-all' {
  if (s === router.catchAll) return 'catch-all';
  return s.server.wildcard ? 'wildcard' : 'exact';
}

export function explain(router: Router, host: string, rawPath: string, method: string): Explanation {
  const hostname = hostnameOf(host);
  const q = rawPath.indexOf('?');
  const pathOnly = q < 0 ? rawPath : rawPath.slice(0, q);
  const norm = pathOnly.startsWith('/') ? normalizePath(pathOnly) : null;
  const server = router.findServer(hostname);
  const kind = serverKind(router, server);
  const why: string[] = [];
  if (kind === 'exact') why.push(`host "${hostname}" matches the rule host exactly`);
  else if (kind === 'wildcard') why.push(`host "${hostname}" matches wildcard ${server.server.host} (no exact host rule exists)`);
  else why.push(`host "${hostname}" matches no rule host; the catch-all server answers (rules without host, default backends)`);
  const base = {
    request: { host, hostname, path: rawPath, normalizedPath: norm, method },
    server: { host: server.server.host, kind, regexMode: server.server.regex },
    tableGeneration: router.table.generation,
  };
  if (norm === null) {
    return { ...base, decision: 'invalid', route: null, service: null, backend: null, outcome: '400 Bad Request (invalid path)', why: [...why, 'the path is not a valid absolute path'], policy: null };
  }
  const target = server.match(norm);
  explainPath(server, norm, target, why);
  return describeTarget(base, target, why);
}

function explainPath(server: ServerRuntime, path: string, target: Target, why: string[]): void {
  if (server.regexes.length > 0) {
    why.push(`regex mode (use-regex/rewrite-target on this host): ${server.regexes.length} patterns tried in order of descending length, case-insensitive, first match wins`);
  }
  const r = target.route;
  if (r === null) {
    const tried = [...server.exact.keys()].length + [...server.prefix.keys()].length + server.regexes.length;
    why.push(`no path of this host matches "${path}" (${tried} paths defined); the host's fallback answers`);
    return;
  }
  if (r.match === 'exact') why.push(`Exact path "${r.path}" equals the request path (Exact wins over any Prefix of the same length)`);
  else if (r.match === 'prefix') {
    const longer = [...server.prefix.keys()].filter((k) => k.length > r.matchPath.length && path.startsWith(prefixKey(k)));
    why.push(`Prefix "${r.path}" matches element-wise (longest matching prefix${longer.length ? `; longer prefixes ${longer.join(', ')} do not match on element boundaries` : ''})`);
    if (server.exact.size > 0) why.push('no Exact path equals the request path');
  } else why.push(`regex "${r.matchPath}" is the first pattern that matches`);
}

function describeTarget(base: Omit<Explanation, 'decision' | 'route' | 'service' | 'backend' | 'outcome' | 'why' | 'policy'>, t: Target, why: string[]): Explanation {
  const r = t.route;
  const route = r
    ? { id: r.id, namespace: r.source.namespace, ingress: r.source.ingress, rule: r.source.rule, path: r.path, pathType: r.pathType, match: r.match }
    : null;
  const service = t.service !== '' ? { namespace: t.namespace, name: t.service, port: t.servicePort } : null;
  const backend = t.backend
    ? { key: t.backend.key, endpoints: t.backend.endpoints.map((e) => ({ address: e.address, port: e.port, ready: e.ready, pod: e.target })) }
    : null;
  let outcome: string;
  if (t.notFound) {
    outcome = '404 Not Found (no route and no default backend)';
  } else if (t.backend === null) {
    outcome = '503 Service Temporarily Unavailable (the Service or its port does not exist)';
    why.push('see /debug/errors for the Ingress problem');
  } else if (t.backend.endpoints.length === 0) {
    outcome = '503 Service Temporarily Unavailable (no ready endpoints)';
  } else {
    const ready = t.backend.endpoints.filter((e) => e.ready).length;
    outcome = `proxied to one of ${t.backend.endpoints.length} endpoints (round robin)`;
    if (ready === 0) why.push('no endpoint is ready; serving-but-terminating endpoints are used as a last resort');
  }
  if (r === null && t.service !== '') why.push(`fallback: default backend ${t.namespace}/${t.service}:${t.servicePort}${t.ingress ? ` from Ingress ${t.namespace}/${t.ingress}` : ' (--default-backend-service)'}`);
  return { ...base, decision: r ? 'route' : 'fallback', route, service, backend, outcome, why, policy: redactPolicy(t.policy) };
}
