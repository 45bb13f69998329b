// URL → what is being asked for. Shapes follow the real API:
//   /api/v1/namespaces/{ns}/services[/{name}[/status]]      namespaced
//   /api/v1/services                                         all namespaces
//   /apis/networking.k8s.io/v1/ingressclasses[/{name}]       cluster-scoped
//   /api/v1/watch/namespaces/{ns}/services[/{name}]          legacy watch paths
//   /api, /apis, /apis/{group}, /api/v1, /apis/{group}/{version}, /version, /healthz

import { findByPlural, RESOURCES, type ResourceType } from './resources.ts';

export type Route =
  | { type: 'version' }
  | { type: 'health'; name: string }
  | { type: 'core-versions' }
  | { type: 'groups' }
  | { type: 'group'; group: string }
  | { type: 'resources'; group: string; version: string }
  | {
      type: 'resource';
      rt: ResourceType;
      namespace?: string;
      name?: string;
      subresource?: string;
      /** Reached through the legacy /watch/ prefix. */
      legacyWatch: boolean;
    }
  | { type: 'unknown' };

const HEALTH = new Set(['healthz', 'livez', 'readyz']);

function servesGroupVersion(group: string, version: string): boolean {
  return RESOURCES.some((r) => r.group === group && r.version === version);
}

function resourceRoute(group: string, version: string, segs: string[]): Route {
  let legacyWatch = false;
  if (segs[0] === 'watch') {
    legacyWatch = true;
    segs = segs.slice(1);
  }
  let namespace: string | undefined;
  // 'namespaces/{ns}/{plural}/...' unless {plural} is not a namespaced type here, in which
  // case it is 'namespaces/{name}/{subresource}' on the Namespace type itself.
  if (segs[0] === 'namespaces' && segs.length >= 3) {
    const inner = findByPlural(group, version, segs[2]);
    if (inner?.namespaced) {
      namespace = segs[1];
      segs = segs.slice(2);
    }
  }
  const rt = findByPlural(group, version, segs[0] ?? '');
  if (!rt || segs.length > 3) return { type: 'unknown' };
  if (namespace !== undefined && !rt.namespaced) return { type: 'unknown' };
  const [, name, subresource] = segs;
  if (subresource !== undefined && !(subresource === 'status' && rt.statusSubresource)) return { type: 'unknown' };
  if (legacyWatch && subresource !== undefined) return { type: 'unknown' };
  return { type: 'resource', rt, namespace, name, subresource, legacyWatch };
}

export function route(pathname: string): Route {
  let segs: string[];
  try {
    segs = pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    return { type: 'unknown' };
  }
  if (segs.length === 1 && segs[0] === 'version') return { type: 'version' };
  if (segs.length >= 1 && HEALTH.has(segs[0])) return { type: 'health', name: segs[0] };
  if (segs[0] === 'api') {
    if (segs.length === 1) return { type: 'core-versions' };
    if (!servesGroupVersion('', segs[1])) return { type: 'unknown' };
    if (segs.length === 2) return { type: 'resources', group: '', version: segs[1] };
    return resourceRoute('', segs[1], segs.slice(2));
  }
  if (segs[0] === 'apis') {
    if (segs.length === 1) return { type: 'groups' };
    const group = segs[1];
    if (!RESOURCES.some((r) => r.group === group) || group === '') return { type: 'unknown' };
    if (segs.length === 2) return { type: 'group', group };
    if (!servesGroupVersion(group, segs[2])) return { type: 'unknown' };
    if (segs.length === 3) return { type: 'resources', group, version: segs[2] };
    return resourceRoute(group, segs[2], segs.slice(3));
  }
  return { type: 'unknown' };
}
