// Where each kind lives in the API, and the transform every object goes through before it is
// cached: managedFields dropped, kind/apiVersion restored (list items carry neither), and the
// store's structural normalisation (which keeps only the fields sluice reads).

import type { Kind, KubeObject } from '../../model/k8s.ts';
import { normalizeObject } from '../../store/normalize.ts';
import type { Json } from './api-client.ts';

export interface Resource {
  kind: Kind;
  apiVersion: string;
  /** Plural name in URLs. */
  plural: string;
  namespaced: boolean;
}

export const RESOURCES: Record<Kind, Resource> = {
  Ingress: { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', plural: 'ingresses', namespaced: true },
  IngressClass: { kind: 'IngressClass', apiVersion: 'networking.k8s.io/v1', plural: 'ingressclasses', namespaced: false },
  Service: { kind: 'Service', apiVersion: 'v1', plural: 'services', namespaced: true },
  EndpointSlice: { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', plural: 'endpointslices', namespaced: true },
  Secret: { kind: 'Secret', apiVersion: 'v1', plural: 'secrets', namespaced: true },
  ConfigMap: { kind: 'ConfigMap', apiVersion: 'v1', plural: 'configmaps', namespaced: true },
};

/** Collection path, all namespaces when `namespace` is null (or the kind is cluster-scoped). */
export function collectionPath(apiVersion: string, plural: string, namespace: string | null): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}` : `${base}/${plural}`;
}

export function objectPath(apiVersion: string, plural: string, namespace: string | null, name: string): string {
  return `${collectionPath(apiVersion, plural, namespace)}/${encodeURIComponent(name)}`;
}

export type Transformed = { ok: true; object: KubeObject } | { ok: false; error: string; namespace?: string; name?: string };

/** Wire object → cached object. Never throws. */
export function transform(res: Resource, raw: Json): Transformed {
  const meta = (raw.metadata ?? {}) as Json;
  // Often the largest part of an object, and never read: drop it before anything else.
  delete meta.managedFields;
  raw.kind = res.kind;
  raw.apiVersion = res.apiVersion;
  const r = normalizeObject(raw);
  if (r.ok) return { ok: true, object: r.object };
  const out: Transformed = { ok: false, error: r.ignored ? r.reason : r.error };
  if (typeof meta.namespace === 'string') out.namespace = meta.namespace;
  if (typeof meta.name === 'string') out.name = meta.name;
  return out;
}
