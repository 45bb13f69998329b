// Resolves an Ingress backend (service name + port number or name) to a Service port and the
// pod endpoints behind it. Endpoints come from EndpointSlices; the port is found by the Service
// port's name, which is how EndpointSlices label ports (this also resolves named targetPorts).
// Ready endpoints are used; serving-but-terminating ones only when nothing is ready.

import type { EndpointSlice, IngressServiceBackend, Service, ServicePort } from '../model/k8s.ts';
import type { Snapshot } from '../store/store.ts';
import type { Backend, Endpoint } from '../routes/table.ts';

export type BackendResolution =
  | { ok: true; backend: Backend }
  | { ok: false; reason: 'ServiceNotFound' | 'PortNotFound' | 'InvalidBackend'; message: string };

export function backendKey(namespace: string, service: string, port: string): string {
  return `${namespace}/${service}:${port}`;
}

export function portLabel(port: { name?: string; number?: number }): string | null {
  if (port.number !== undefined && port.name !== undefined) return null;
  if (port.number !== undefined) return String(port.number);
  if (port.name !== undefined && port.name !== '') return port.name;
  return null;
}

function findPort(svc: Service, port: { name?: string; number?: number }): ServicePort | undefined {
  const ports = svc.spec.ports ?? [];
  if (port.number !== undefined) return ports.find((p) => p.port === port.number);
  return ports.find((p) => p.name === port.name);
}

export function resolveBackend(snap: Snapshot, namespace: string, ref: IngressServiceBackend): BackendResolution {
  const label = portLabel(ref.port);
  if (label === null) {
    return { ok: false, reason: 'InvalidBackend', message: `service ${ref.name}: set exactly one of port.number or port.name` };
  }
  if (ref.port.number !== undefined && (ref.port.number < 1 || ref.port.number > 65535)) {
    return { ok: false, reason: 'InvalidBackend', message: `service ${ref.name}: port ${ref.port.number} is not 1-65535` };
  }
  const svc = snap.services.get(`${namespace}/${ref.name}`);
  if (!svc) return { ok: false, reason: 'ServiceNotFound', message: `Service ${namespace}/${ref.name} not found` };
  const port = findPort(svc, ref.port);

  if (svc.spec.type === 'ExternalName') {
    const host = svc.spec.externalName;
    if (!host) return { ok: false, reason: 'InvalidBackend', message: `Service ${namespace}/${ref.name} is ExternalName without spec.externalName` };
    const num = port ? (typeof port.targetPort === 'number' ? port.targetPort : port.port) : ref.port.number;
    if (num === undefined) {
      return { ok: false, reason: 'PortNotFound', message: `Service ${namespace}/${ref.name} has no port named "${ref.port.name}"` };
    }
    const key = backendKey(namespace, ref.name, String(port ? port.port : num));
    return {
      ok: true,
      backend: { key, namespace, service: ref.name, port: String(port ? port.port : num), servicePort: num, externalName: host, endpoints: [{ address: host, port: num, ready: true }] },
    };
  }

  if (!port) {
    const known = (svc.spec.ports ?? []).map((p) => (p.name ? `${p.name}/${p.port}` : String(p.port))).join(', ') || 'none';
    return { ok: false, reason: 'PortNotFound', message: `Service ${namespace}/${ref.name} has no port ${label} (ports: ${known})` };
  }
  // One backend per Service port, however the Ingress names it (number or name).
  return {
    ok: true,
    backend: {
      key: backendKey(namespace, ref.name, String(port.port)),
      namespace,
      service: ref.name,
      port: String(port.port),
      servicePort: port.port,
      externalName: null,
      endpoints: resolveEndpoints(snap.slicesByService.get(`${namespace}/${ref.name}`) ?? [], port),
    },
  };
}

/** Picks endpoints for one Service port from its EndpointSlices (deduplicated, sorted). */
export function resolveEndpoints(slices: readonly EndpointSlice[], port: ServicePort): Endpoint[] {
  const ready = new Map<string, Endpoint>();
  const draining = new Map<string, Endpoint>();
  const wantName = port.name ?? '';
  for (const slice of slices) {
    const ports = slice.ports ?? [];
    const sp = ports.find((p) => (p.name ?? '') === wantName);
    let num: number | undefined;
    if (sp) num = sp.port;
    else if (ports.length === 0) {
      // A slice that lists no ports: use a numeric targetPort (default: the Service port).
      num = typeof port.targetPort === 'number' ? port.targetPort : port.targetPort === undefined ? port.port : undefined;
    }
    if (num === undefined) continue;
    for (const ep of slice.endpoints) {
      const c = ep.conditions ?? {};
      const isReady = c.ready ?? true;
      const serving = c.serving ?? isReady;
      const terminating = c.terminating ?? false;
      const target = ep.targetRef?.name;
      for (const address of ep.addresses) {
        const id = `${address}|${num}`;
        const e: Endpoint = { address, port: num, ready: isReady && !terminating };
        if (target !== undefined) e.target = target;
        if (ep.zone !== undefined) e.zone = ep.zone;
        if (e.ready) ready.set(id, e);
        else if (serving && terminating) draining.set(id, { ...e, ready: false });
      }
    }
  }
  const chosen = ready.size > 0 ? [...ready.values()] : [...draining.values()];
  return chosen.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
}
