// Builders for the Kubernetes objects tests feed sluice.

export interface PortSpec {
  name?: string;
  port: number;
  targetPort?: number | string;
}

export function service(ns: string, name: string, ports: PortSpec[] = [{ name: 'http', port: 80 }], extra: Record<string, unknown> = {}): object {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports, ...extra } };
}

export interface EndpointSpec {
  ip: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  pod?: string;
}

export function slice(ns: string, svc: string, portName: string | undefined, port: number, eps: (string | EndpointSpec)[], name = `${svc}-slice`): object {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: [portName === undefined ? { port } : { name: portName, port }],
    endpoints: eps.map((e) => {
      const s = typeof e === 'string' ? { ip: e } : e;
      const conditions: Record<string, boolean> = { ready: s.ready ?? true };
      if (s.serving !== undefined) conditions.serving = s.serving;
      if (s.terminating !== undefined) conditions.terminating = s.terminating;
      return { addresses: [s.ip], conditions, ...(s.pod ? { targetRef: { kind: 'Pod', name: s.pod } } : {}) };
    }),
  };
}

/** A Service plus an EndpointSlice pointing at local ports (one endpoint per port, all 127.0.0.1). */
export function backendObjects(ns: string, svc: string, ports: number[], svcPort = 80): object[] {
  // Several endpoints on one IP need distinct ports, so use one slice per endpoint port.
  const objs: object[] = [service(ns, svc, [{ name: 'http', port: svcPort, targetPort: 'http' }])];
  ports.forEach((p, i) => objs.push(slice(ns, svc, 'http', p, [{ ip: '127.0.0.1', pod: `${svc}-${i}` }], `${svc}-${i}`)));
  return objs;
}

export interface PathSpec {
  path?: string;
  pathType?: string;
  service: string;
  port?: number | string;
}

export interface RuleSpec {
  host?: string;
  paths: PathSpec[];
}

export function ingress(
  ns: string,
  name: string,
  rules: RuleSpec[],
  opts: { annotations?: Record<string, string>; className?: string | null; defaultBackend?: { service: string; port: number | string }; tls?: { hosts: string[]; secretName?: string }[]; creationTimestamp?: string } = {},
): object {
  const port = (p: number | string | undefined): object => (typeof p === 'string' ? { name: p } : { number: p ?? 80 });
  const spec: Record<string, unknown> = {
    rules: rules.map((r) => ({
      ...(r.host !== undefined ? { host: r.host } : {}),
      http: { paths: r.paths.map((p) => ({ path: p.path ?? '/', pathType: p.pathType ?? 'Prefix', backend: { service: { name: p.service, port: port(p.port) } } })) },
    })),
  };
  if (opts.className !== null) spec.ingressClassName = opts.className ?? 'sluice';
  if (opts.defaultBackend) spec.defaultBackend = { service: { name: opts.defaultBackend.service, port: port(opts.defaultBackend.port) } };
  if (opts.tls) spec.tls = opts.tls;
  const metadata: Record<string, unknown> = { name, namespace: ns };
  if (opts.annotations) metadata.annotations = opts.annotations;
  if (opts.creationTimestamp) metadata.creationTimestamp = opts.creationTimestamp;
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata, spec };
}

export function configMap(ns: string, name: string, data: Record<string, string>): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data };
}

export function tlsSecret(ns: string, name: string, certPem: string, keyPem: string, caPem?: string): object {
  const data: Record<string, string> = {
    'tls.crt': Buffer.from(certPem).toString('base64'),
    'tls.key': Buffer.from(keyPem).toString('base64'),
  };
  if (caPem) data['ca.crt'] = Buffer.from(caPem).toString('base64');
  return { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace: ns }, data };
}
