// Server-side defaulting the real API applies on every write, limited to the fields an
// ingress controller reads, so objects read back look like they would from a cluster.

import type { Obj } from './store.ts';

type Rec = Record<string, unknown>;

function rec(v: unknown): Rec {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {};
}

/** Fake IP/port allocators: values are plain data, never dialed by anything. */
export class Allocators {
  private nextIp = 1;
  private nextNodePort = 30000;

  clusterIp(): string {
    const n = this.nextIp++;
    return `10.96.${(n >> 8) & 255}.${n & 255}`;
  }

  nodePort(): number {
    const p = this.nextNodePort;
    this.nextNodePort = p >= 32767 ? 30000 : p + 1;
    return p;
  }
}

function defaultService(obj: Obj, prev: Obj | undefined, alloc: Allocators): void {
  const spec = rec(obj.spec);
  const old = rec(prev?.spec);
  spec.type ??= 'ClusterIP';
  if (spec.type === 'ExternalName') {
    obj.spec = spec;
    return;
  }
  spec.sessionAffinity ??= 'None';
  spec.internalTrafficPolicy ??= 'Cluster';
  // Allocated values survive an update that omits them, as the real strategy keeps them.
  spec.clusterIP ??= old.clusterIP ?? alloc.clusterIp();
  spec.clusterIPs ??= old.clusterIPs ?? [spec.clusterIP];
  spec.ipFamilies ??= old.ipFamilies ?? ['IPv4'];
  spec.ipFamilyPolicy ??= old.ipFamilyPolicy ?? 'SingleStack';
  const needsNodePort = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  if (needsNodePort) spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  const oldPorts = Array.isArray(old.ports) ? (old.ports as Rec[]) : [];
  if (Array.isArray(spec.ports)) {
    spec.ports = (spec.ports as Rec[]).map((p) => {
      const port: Rec = { ...p };
      port.protocol ??= 'TCP';
      port.targetPort ??= port.port;
      if (needsNodePort && port.nodePort === undefined) {
        const same = oldPorts.find((o) => o.port === port.port && o.protocol === port.protocol);
        port.nodePort = same?.nodePort ?? alloc.nodePort();
      }
      return port;
    });
  }
  obj.spec = spec;
  obj.status ??= { loadBalancer: {} };
}

function defaultSecret(obj: Obj): void {
  obj.type ??= 'Opaque';
  // stringData is write-only: merged into data (base64) and never stored.
  if (obj.stringData && typeof obj.stringData === 'object') {
    const data: Rec = { ...rec(obj.data) };
    for (const [k, v] of Object.entries(obj.stringData as Rec)) data[k] = Buffer.from(String(v)).toString('base64');
    obj.data = data;
  }
  delete obj.stringData;
}

function defaultNamespace(obj: Obj): void {
  const name = String(obj.metadata.name);
  obj.metadata.labels = { ...rec(obj.metadata.labels), 'kubernetes.io/metadata.name': name } as Record<string, string>;
  obj.spec ??= { finalizers: ['kubernetes'] };
  obj.status ??= { phase: 'Active' };
}

function defaultEndpointSlice(obj: Obj): void {
  if (Array.isArray(obj.ports)) {
    obj.ports = (obj.ports as Rec[]).map((p) => ({ name: '', protocol: 'TCP', ...p }));
  }
}

/** Fills defaults in place on a storage-form object about to be written. */
export function applyDefaults(bucket: string, obj: Obj, prev: Obj | undefined, alloc: Allocators): void {
  switch (bucket) {
    case 'services':
      defaultService(obj, prev, alloc);
      break;
    case 'secrets':
      defaultSecret(obj);
      break;
    case 'namespaces':
      defaultNamespace(obj);
      break;
    case 'endpointslices.discovery.k8s.io':
      defaultEndpointSlice(obj);
      break;
    case 'ingresses.networking.k8s.io':
      obj.status ??= { loadBalancer: {} };
      break;
  }
}
