// Turns a loosely-typed object (parsed YAML/JSON, or an API response) into the typed shape the
// rest of sluice relies on. The API server already validates objects, but manifest files do not,
// so a structural mistake here becomes a clear error naming the field instead of a crash later.

import {
  API_VERSIONS,
  KINDS,
  type ConfigMap,
  type EndpointSlice,
  type Ingress,
  type IngressClass,
  type Kind,
  type KubeObject,
  type ObjectMeta,
  type Secret,
  type Service,
} from '../model/k8s.ts';

export type NormalizeResult =
  | { ok: true; object: KubeObject }
  | { ok: false; ignored: true; reason: string }
  | { ok: false; ignored: false; error: string; kind?: Kind; name?: string; namespace?: string };

class FieldError extends Error {}

function fail(field: string, expected: string, got: unknown): never {
  const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 60);
  throw new FieldError(`${field}: expected ${expected}, got ${shown}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') fail(field, 'a string', v);
  return v;
}

function optStr(v: unknown, field: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, field);
}

function optInt(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(field, 'an integer', v);
  return v;
}

function optBool(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(field, 'true or false', v);
  return v;
}

function arr(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(field, 'a list', v);
  return v;
}

function strMap(v: unknown, field: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) fail(field, 'a map of strings', v);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    // YAML turns `true`/`10` into non-strings; Kubernetes would reject them, we say so clearly.
    if (typeof val !== 'string') fail(`${field}.${k}`, 'a string (quote it in YAML)', val);
    out[k] = val;
  }
  return out;
}

function rec(v: unknown, field: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) fail(field, 'an object', v);
  return v;
}

function meta(v: unknown, namespaced: boolean): ObjectMeta {
  const m = rec(v, 'metadata');
  const name = str(m.name, 'metadata.name');
  if (name === '') fail('metadata.name', 'a non-empty name', name);
  const out: ObjectMeta = { name };
  const ns = optStr(m.namespace, 'metadata.namespace');
  if (namespaced) out.namespace = ns ?? 'default';
  const uid = optStr(m.uid, 'metadata.uid');
  if (uid !== undefined) out.uid = uid;
  const rv = optStr(m.resourceVersion, 'metadata.resourceVersion');
  if (rv !== undefined) out.resourceVersion = rv;
  const gen = optInt(m.generation, 'metadata.generation');
  if (gen !== undefined) out.generation = gen;
  const ct = m.creationTimestamp;
  if (ct instanceof Date) out.creationTimestamp = ct.toISOString();
  else if (ct !== undefined && ct !== null) out.creationTimestamp = str(ct, 'metadata.creationTimestamp');
  const dt = m.deletionTimestamp;
  if (dt instanceof Date) out.deletionTimestamp = dt.toISOString();
  else if (dt !== undefined && dt !== null) out.deletionTimestamp = str(dt, 'metadata.deletionTimestamp');
  const labels = strMap(m.labels, 'metadata.labels');
  if (labels) out.labels = labels;
  const annotations = strMap(m.annotations, 'metadata.annotations');
  if (annotations) out.annotations = annotations;
  return out;
}

function backend(v: unknown, field: string): Ingress['spec']['defaultBackend'] {
  const b = rec(v, field);
  const out: NonNullable<Ingress['spec']['defaultBackend']> = {};
  if (b.service !== undefined && b.service !== null) {
    const s = rec(b.service, `${field}.service`);
    const p = rec(s.port, `${field}.service.port`);
    const port: { name?: string; number?: number } = {};
    const pn = optStr(p.name, `${field}.service.port.name`);
    if (pn !== undefined) port.name = pn;
    const num = optInt(p.number, `${field}.service.port.number`);
    if (num !== undefined) port.number = num;
    out.service = { name: str(s.name, `${field}.service.name`), port };
  }
  if (b.resource !== undefined && b.resource !== null) {
    const r = rec(b.resource, `${field}.resource`);
    out.resource = { kind: str(r.kind, `${field}.resource.kind`), name: str(r.name, `${field}.resource.name`) };
    const g = optStr(r.apiGroup, `${field}.resource.apiGroup`);
    if (g !== undefined) out.resource.apiGroup = g;
  }
  return out;
}

function ingress(o: Record<string, unknown>): Ingress {
  const spec = rec(o.spec, 'spec');
  const out: Ingress = { apiVersion: o.apiVersion as string, kind: 'Ingress', metadata: meta(o.metadata, true), spec: {} };
  const cls = optStr(spec.ingressClassName, 'spec.ingressClassName');
  if (cls !== undefined) out.spec.ingressClassName = cls;
  if (spec.defaultBackend !== undefined && spec.defaultBackend !== null) {
    out.spec.defaultBackend = backend(spec.defaultBackend, 'spec.defaultBackend');
  }
  if (spec.rules !== undefined && spec.rules !== null) {
    out.spec.rules = arr(spec.rules, 'spec.rules').map((r, i) => {
      const rr = rec(r, `spec.rules[${i}]`);
      const rule: NonNullable<Ingress['spec']['rules']>[number] = {};
      const host = optStr(rr.host, `spec.rules[${i}].host`);
      if (host !== undefined) rule.host = host;
      if (rr.http !== undefined && rr.http !== null) {
        const http = rec(rr.http, `spec.rules[${i}].http`);
        rule.http = {
          paths: arr(http.paths, `spec.rules[${i}].http.paths`).map((p, j) => {
            const f = `spec.rules[${i}].http.paths[${j}]`;
            const pp = rec(p, f);
            const path: NonNullable<typeof rule.http>['paths'][number] = { backend: backend(pp.backend, `${f}.backend`) ?? {} };
            const ps = optStr(pp.path, `${f}.path`);
            if (ps !== undefined) path.path = ps;
            const pt = optStr(pp.pathType, `${f}.pathType`);
            if (pt !== undefined) {
              if (pt !== 'Exact' && pt !== 'Prefix' && pt !== 'ImplementationSpecific') {
                fail(`${f}.pathType`, 'Exact, Prefix or ImplementationSpecific', pt);
              }
              path.pathType = pt;
            }
            return path;
          }),
        };
      }
      return rule;
    });
  }
  if (spec.tls !== undefined && spec.tls !== null) {
    out.spec.tls = arr(spec.tls, 'spec.tls').map((t, i) => {
      const tt = rec(t, `spec.tls[${i}]`);
      const tls: NonNullable<Ingress['spec']['tls']>[number] = {};
      if (tt.hosts !== undefined && tt.hosts !== null) {
        tls.hosts = arr(tt.hosts, `spec.tls[${i}].hosts`).map((h, j) => str(h, `spec.tls[${i}].hosts[${j}]`));
      }
      const sn = optStr(tt.secretName, `spec.tls[${i}].secretName`);
      if (sn !== undefined) tls.secretName = sn;
      return tls;
    });
  }
  const status = rec(o.status, 'status');
  const lb = rec(status.loadBalancer, 'status.loadBalancer');
  if (Array.isArray(lb.ingress)) out.status = { loadBalancer: { ingress: lb.ingress as never } };
  return out;
}

function ingressClass(o: Record<string, unknown>): IngressClass {
  const spec = rec(o.spec, 'spec');
  const out: IngressClass = { apiVersion: o.apiVersion as string, kind: 'IngressClass', metadata: meta(o.metadata, false), spec: {} };
  const c = optStr(spec.controller, 'spec.controller');
  if (c !== undefined) out.spec.controller = c;
  if (spec.parameters !== undefined && spec.parameters !== null) {
    const p = rec(spec.parameters, 'spec.parameters');
    out.spec.parameters = { kind: str(p.kind, 'spec.parameters.kind'), name: str(p.name, 'spec.parameters.name') };
  }
  return out;
}

function service(o: Record<string, unknown>): Service {
  const spec = rec(o.spec, 'spec');
  const out: Service = { apiVersion: o.apiVersion as string, kind: 'Service', metadata: meta(o.metadata, true), spec: {} };
  const type = optStr(spec.type, 'spec.type');
  if (type !== undefined) {
    if (type !== 'ClusterIP' && type !== 'NodePort' && type !== 'LoadBalancer' && type !== 'ExternalName') {
      fail('spec.type', 'ClusterIP, NodePort, LoadBalancer or ExternalName', type);
    }
    out.spec.type = type;
  }
  const cip = optStr(spec.clusterIP, 'spec.clusterIP');
  if (cip !== undefined) out.spec.clusterIP = cip;
  const en = optStr(spec.externalName, 'spec.externalName');
  if (en !== undefined) out.spec.externalName = en;
  if (spec.externalIPs !== undefined && spec.externalIPs !== null) {
    out.spec.externalIPs = arr(spec.externalIPs, 'spec.externalIPs').map((x, i) => str(x, `spec.externalIPs[${i}]`));
  }
  out.spec.ports = arr(spec.ports, 'spec.ports').map((p, i) => {
    const pp = rec(p, `spec.ports[${i}]`);
    const port = optInt(pp.port, `spec.ports[${i}].port`);
    if (port === undefined || port < 1 || port > 65535) fail(`spec.ports[${i}].port`, 'a port number 1-65535', pp.port);
    const sp: NonNullable<Service['spec']['ports']>[number] = { port };
    const name = optStr(pp.name, `spec.ports[${i}].name`);
    if (name !== undefined) sp.name = name;
    const proto = optStr(pp.protocol, `spec.ports[${i}].protocol`);
    if (proto !== undefined) sp.protocol = proto;
    const ap = optStr(pp.appProtocol, `spec.ports[${i}].appProtocol`);
    if (ap !== undefined) sp.appProtocol = ap;
    if (pp.targetPort !== undefined && pp.targetPort !== null) {
      if (typeof pp.targetPort !== 'number' && typeof pp.targetPort !== 'string') {
        fail(`spec.ports[${i}].targetPort`, 'a port number or name', pp.targetPort);
      }
      sp.targetPort = pp.targetPort;
    }
    const np = optInt(pp.nodePort, `spec.ports[${i}].nodePort`);
    if (np !== undefined) sp.nodePort = np;
    return sp;
  });
  const status = rec(o.status, 'status');
  const lb = rec(status.loadBalancer, 'status.loadBalancer');
  if (Array.isArray(lb.ingress)) out.status = { loadBalancer: { ingress: lb.ingress as never } };
  return out;
}

function endpointSlice(o: Record<string, unknown>): EndpointSlice {
  const at = str(o.addressType, 'addressType');
  if (at !== 'IPv4' && at !== 'IPv6' && at !== 'FQDN') fail('addressType', 'IPv4, IPv6 or FQDN', at);
  const out: EndpointSlice = {
    apiVersion: o.apiVersion as string,
    kind: 'EndpointSlice',
    metadata: meta(o.metadata, true),
    addressType: at,
    endpoints: arr(o.endpoints, 'endpoints').map((e, i) => {
      const ee = rec(e, `endpoints[${i}]`);
      const c = rec(ee.conditions, `endpoints[${i}].conditions`);
      const conditions: NonNullable<EndpointSlice['endpoints'][number]['conditions']> = {};
      const ready = optBool(c.ready, `endpoints[${i}].conditions.ready`);
      if (ready !== undefined) conditions.ready = ready;
      const serving = optBool(c.serving, `endpoints[${i}].conditions.serving`);
      if (serving !== undefined) conditions.serving = serving;
      const term = optBool(c.terminating, `endpoints[${i}].conditions.terminating`);
      if (term !== undefined) conditions.terminating = term;
      const ep: EndpointSlice['endpoints'][number] = {
        addresses: arr(ee.addresses, `endpoints[${i}].addresses`).map((a, j) => str(a, `endpoints[${i}].addresses[${j}]`)),
        conditions,
      };
      const nodeName = optStr(ee.nodeName, `endpoints[${i}].nodeName`);
      if (nodeName !== undefined) ep.nodeName = nodeName;
      const zone = optStr(ee.zone, `endpoints[${i}].zone`);
      if (zone !== undefined) ep.zone = zone;
      const hostname = optStr(ee.hostname, `endpoints[${i}].hostname`);
      if (hostname !== undefined) ep.hostname = hostname;
      if (isRecord(ee.targetRef)) {
        const tr = ee.targetRef;
        ep.targetRef = {};
        if (typeof tr.kind === 'string') ep.targetRef.kind = tr.kind;
        if (typeof tr.name === 'string') ep.targetRef.name = tr.name;
        if (typeof tr.namespace === 'string') ep.targetRef.namespace = tr.namespace;
      }
      return ep;
    }),
    ports: arr(o.ports, 'ports').map((p, i) => {
      const pp = rec(p, `ports[${i}]`);
      const port: NonNullable<EndpointSlice['ports']>[number] = {};
      const name = optStr(pp.name, `ports[${i}].name`);
      if (name !== undefined) port.name = name;
      const num = optInt(pp.port, `ports[${i}].port`);
      if (num !== undefined) port.port = num;
      const proto = optStr(pp.protocol, `ports[${i}].protocol`);
      if (proto !== undefined) port.protocol = proto;
      const ap = optStr(pp.appProtocol, `ports[${i}].appProtocol`);
      if (ap !== undefined) port.appProtocol = ap;
      return port;
    }),
  };
  return out;
}

function secret(o: Record<string, unknown>): Secret {
  const out: Secret = { apiVersion: o.apiVersion as string, kind: 'Secret', metadata: meta(o.metadata, true) };
  const type = optStr(o.type, 'type');
  if (type !== undefined) out.type = type;
  const data: Record<string, string> = strMap(o.data, 'data') ?? {};
  // stringData is write-only sugar in the API; in manifest files we fold it into data, as the API would.
  const sd = strMap(o.stringData, 'stringData');
  if (sd) for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(v, 'utf8').toString('base64');
  out.data = data;
  return out;
}

function configMap(o: Record<string, unknown>): ConfigMap {
  const out: ConfigMap = { apiVersion: o.apiVersion as string, kind: 'ConfigMap', metadata: meta(o.metadata, true) };
  const data = strMap(o.data, 'data');
  if (data) out.data = data;
  return out;
}

const BUILDERS: Record<Kind, (o: Record<string, unknown>) => KubeObject> = {
  Ingress: ingress,
  IngressClass: ingressClass,
  Service: service,
  EndpointSlice: endpointSlice,
  Secret: secret,
  ConfigMap: configMap,
};

/** Validates the structure of one object. Unknown kinds are "ignored", not errors. */
export function normalizeObject(raw: unknown): NormalizeResult {
  if (!isRecord(raw)) return { ok: false, ignored: false, error: 'expected a Kubernetes object (a map with apiVersion, kind, metadata)' };
  const kind = raw.kind;
  const apiVersion = raw.apiVersion;
  if (typeof kind !== 'string' || kind === '') return { ok: false, ignored: false, error: 'kind: expected a string' };
  if (typeof apiVersion !== 'string') return { ok: false, ignored: false, error: `apiVersion: expected a string (kind ${kind})` };
  if (!(KINDS as readonly string[]).includes(kind)) return { ok: false, ignored: true, reason: `kind ${apiVersion}/${kind} is not used by sluice` };
  const k = kind as Kind;
  if (!API_VERSIONS[k].includes(apiVersion)) {
    return { ok: false, ignored: true, reason: `${k} with apiVersion ${apiVersion} is not supported (use ${API_VERSIONS[k].join(' or ')})` };
  }
  const m = isRecord(raw.metadata) ? raw.metadata : {};
  const name = typeof m.name === 'string' ? m.name : undefined;
  const namespace = typeof m.namespace === 'string' ? m.namespace : undefined;
  try {
    return { ok: true, object: BUILDERS[k](raw) };
  } catch (err) {
    if (!(err instanceof FieldError)) throw err;
    const res: NormalizeResult = { ok: false, ignored: false, error: err.message, kind: k };
    if (name !== undefined) res.name = name;
    if (namespace !== undefined) res.namespace = namespace;
    return res;
  }
}
