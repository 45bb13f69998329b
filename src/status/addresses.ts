// The address sluice publishes in status.loadBalancer.ingress of the Ingresses it serves:
//   --publish-status-address a,b   as given: IPs → ip, names → hostname
//   --publish-service NS/NAME      from that Service:
//       LoadBalancer   its status.loadBalancer.ingress, plus spec.externalIPs
//       NodePort       spec.externalIPs, else the addresses (ExternalIP, else InternalIP) of the
//                      nodes that run its ready endpoints — sluice's own pods
//       ClusterIP      spec.externalIPs, else its cluster IP (as ingress-nginx does)
//       ExternalName   its externalName as hostname
// Sorted and de-duplicated, so the same addresses always compare (and are written) the same.

import { isIP } from 'node:net';
import type { EndpointSlice, Service } from '../model/k8s.ts';
import type { Logger } from '../log/logger.ts';
import { ApiError, describeError, type KubeApi } from '../sources/kubernetes/api-client.ts';

export interface LbIngress {
  ip?: string;
  hostname?: string;
}

function entry(addr: string): LbIngress {
  return isIP(addr) ? { ip: addr } : { hostname: addr };
}

export function normalizeAddresses(list: readonly LbIngress[]): LbIngress[] {
  const seen = new Set<string>();
  const out: LbIngress[] = [];
  for (const a of list) {
    const e: LbIngress = a.ip ? { ip: a.ip } : a.hostname ? { hostname: a.hostname } : {};
    const k = e.ip ?? e.hostname;
    if (k === undefined || seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  return out.sort((a, b) => {
    const ka = a.ip ?? a.hostname!;
    const kb = b.ip ?? b.hostname!;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

export function statusAddresses(list: readonly string[]): LbIngress[] {
  return normalizeAddresses(list.map(entry));
}

/** Node names of the ready endpoints of the slices. */
export function endpointNodes(slices: readonly EndpointSlice[]): string[] {
  const names = new Set<string>();
  for (const s of slices) for (const e of s.endpoints) if (e.conditions?.ready !== false && e.nodeName) names.add(e.nodeName);
  return [...names].sort();
}

/**
 * Addresses from the publish Service; null while they cannot be known yet (node addresses
 * still being looked up), so nothing is written meanwhile.
 */
export function serviceAddresses(svc: Service, slices: readonly EndpointSlice[], nodeAddress: (node: string) => string | null | undefined): LbIngress[] | null {
  const external = (svc.spec.externalIPs ?? []).map(entry);
  switch (svc.spec.type ?? 'ClusterIP') {
    case 'LoadBalancer':
      return normalizeAddresses([...(svc.status?.loadBalancer?.ingress ?? []), ...external]);
    case 'NodePort': {
      if (external.length > 0) return normalizeAddresses(external);
      const out: LbIngress[] = [];
      for (const n of endpointNodes(slices)) {
        const a = nodeAddress(n);
        if (a === undefined) return null; // not looked up yet
        if (a !== null) out.push(entry(a));
      }
      return normalizeAddresses(out);
    }
    case 'ExternalName':
      return svc.spec.externalName ? [{ hostname: svc.spec.externalName }] : [];
    default:
      if (external.length > 0) return normalizeAddresses(external);
      return svc.spec.clusterIP && svc.spec.clusterIP !== 'None' ? [entry(svc.spec.clusterIP)] : [];
  }
}

interface NodeRecord {
  address: string | null;
  at: number;
}

const NODE_TTL_MS = 5 * 60_000;
const NODE_RETRY_MS = 10_000;

/** Node addresses by name, read with GET (no cluster-wide Node watch for a handful of nodes). */
export class NodeAddresses {
  readonly #api: KubeApi;
  readonly #log: Logger;
  readonly #nodes = new Map<string, NodeRecord>();
  readonly #pending = new Set<string>();
  readonly #changed: () => void;

  constructor(api: KubeApi, log: Logger, changed: () => void) {
    this.#api = api;
    this.#log = log;
    this.#changed = changed;
  }

  /** The node's address; undefined while it is being looked up (`changed` fires when known). */
  get(name: string): string | null | undefined {
    const r = this.#nodes.get(name);
    if (!r || Date.now() - r.at > NODE_TTL_MS) this.#fetch(name);
    return r?.address;
  }

  #fetch(name: string): void {
    if (this.#pending.has(name)) return;
    this.#pending.add(name);
    let failed = false;
    this.#api
      .request<{ status?: { addresses?: { type: string; address: string }[] } }>('GET', `/api/v1/nodes/${encodeURIComponent(name)}`)
      .then(
        (node) => {
          const addrs = node.status?.addresses ?? [];
          const pick = addrs.find((a) => a.type === 'ExternalIP') ?? addrs.find((a) => a.type === 'InternalIP') ?? null;
          return pick?.address ?? null;
        },
        (err) => {
          if (err instanceof ApiError && err.code === 404) return null;
          this.#log.warn({ node: name, err: describeError(err) }, 'cannot read node address for Ingress status');
          failed = true;
          return this.#nodes.get(name)?.address ?? null;
        },
      )
      .then((address) => {
        this.#pending.delete(name);
        const before = this.#nodes.get(name)?.address;
        // After a failure, look again soon rather than after the full TTL.
        this.#nodes.set(name, { address, at: failed ? Date.now() - NODE_TTL_MS + NODE_RETRY_MS : Date.now() });
        if (before !== address) this.#changed();
      });
  }
}
