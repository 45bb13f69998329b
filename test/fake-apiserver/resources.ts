// The resource types the fake serves, described once. Routing, discovery, validation and
// generation bookkeeping all read from this table, so adding a type is one entry here.

export interface ResourceType {
  /** API group; '' is the core ("legacy") group served under /api. */
  group: string;
  version: string;
  kind: string;
  /** URL plural, e.g. 'ingresses'. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Has a /status subresource: main-resource writes keep status, status writes keep the rest. */
  statusSubresource: boolean;
  /** Top-level fields whose change bumps metadata.generation; none means no generation
   *  (as for Services, Secrets, Leases… in a real cluster: only some strategies set it). */
  generationFields?: string[];
  /** Field selector keys beyond metadata.name/metadata.namespace, mapped to object paths. */
  fieldLabels?: Record<string, string>;
  /** What DELETE answers with: the deleted object (some types) or a Status (the default). */
  deleteReturnsObject?: boolean;
  /** PUT on a missing object creates it (the real Service and Event strategies allow this). */
  createOnUpdate?: boolean;
  /** Storage shared with another API's view of the same objects (events.k8s.io Event → 'events'). */
  bucket?: string;
}

export const OBJECT_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const STATUS_VERBS = ['get', 'patch', 'update'];

const EVENT_FIELDS_CORE: Record<string, string> = {
  'involvedObject.kind': 'involvedObject.kind',
  'involvedObject.namespace': 'involvedObject.namespace',
  'involvedObject.name': 'involvedObject.name',
  'involvedObject.uid': 'involvedObject.uid',
  'involvedObject.apiVersion': 'involvedObject.apiVersion',
  'involvedObject.resourceVersion': 'involvedObject.resourceVersion',
  'involvedObject.fieldPath': 'involvedObject.fieldPath',
  reason: 'reason',
  reportingComponent: 'reportingComponent',
  source: 'source.component',
  type: 'type',
};

const EVENT_FIELDS_V1: Record<string, string> = {
  'regarding.kind': 'regarding.kind',
  'regarding.namespace': 'regarding.namespace',
  'regarding.name': 'regarding.name',
  'regarding.uid': 'regarding.uid',
  'regarding.apiVersion': 'regarding.apiVersion',
  'regarding.resourceVersion': 'regarding.resourceVersion',
  'regarding.fieldPath': 'regarding.fieldPath',
  reason: 'reason',
  reportingController: 'reportingController',
  type: 'type',
};

export const RESOURCES: readonly ResourceType[] = [
  {
    group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace',
    namespaced: false, shortNames: ['ns'], statusSubresource: true, deleteReturnsObject: true,
    fieldLabels: { 'status.phase': 'status.phase' },
  },
  {
    group: '', version: 'v1', kind: 'Node', plural: 'nodes', singular: 'node',
    namespaced: false, shortNames: ['no'], statusSubresource: true,
    fieldLabels: { 'spec.unschedulable': 'spec.unschedulable' },
  },
  {
    group: '', version: 'v1', kind: 'Service', plural: 'services', singular: 'service',
    namespaced: true, shortNames: ['svc'], statusSubresource: true, createOnUpdate: true,
    deleteReturnsObject: true, fieldLabels: { 'spec.clusterIP': 'spec.clusterIP', 'spec.type': 'spec.type' },
  },
  {
    group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret',
    namespaced: true, statusSubresource: false, fieldLabels: { type: 'type' },
  },
  {
    group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap',
    namespaced: true, shortNames: ['cm'], statusSubresource: false,
  },
  {
    group: '', version: 'v1', kind: 'Event', plural: 'events', singular: 'event',
    namespaced: true, shortNames: ['ev'], statusSubresource: false, fieldLabels: EVENT_FIELDS_CORE,
    createOnUpdate: true,
  },
  {
    group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', singular: 'ingress',
    namespaced: true, shortNames: ['ing'], statusSubresource: true, generationFields: ['spec'],
  },
  {
    group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses',
    singular: 'ingressclass', namespaced: false, statusSubresource: false, generationFields: ['spec'],
  },
  {
    group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices',
    singular: 'endpointslice', namespaced: true, statusSubresource: false,
    generationFields: ['addressType', 'endpoints', 'ports'],
  },
  {
    group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', singular: 'lease',
    namespaced: true, statusSubresource: false,
  },
  {
    group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', singular: 'event',
    namespaced: true, shortNames: ['ev'], statusSubresource: false, fieldLabels: EVENT_FIELDS_V1,
    bucket: 'events', createOnUpdate: true,
  },
];

export function apiVersionOf(rt: ResourceType): string {
  return rt.group === '' ? rt.version : `${rt.group}/${rt.version}`;
}

/** Stable identity of a resource type: 'services', 'ingresses.networking.k8s.io'. */
export function resourceId(rt: ResourceType): string {
  return rt.group === '' ? rt.plural : `${rt.plural}.${rt.group}`;
}

/** Where a type's objects live in the store; two APIs may share one bucket. */
export function bucketOf(rt: ResourceType): string {
  return rt.bucket ?? resourceId(rt);
}

export function findByPlural(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** Resolves what tests write: an apiVersion + kind pair, or a bare kind when unambiguous. */
export function findByKind(apiVersionOrKind: string, kind?: string): ResourceType {
  if (kind === undefined) {
    const matches = RESOURCES.filter((r) => r.kind === apiVersionOrKind || resourceId(r) === apiVersionOrKind);
    // A bare 'Event' means the core one, as kubectl resolves it.
    const chosen = matches.length > 1 ? matches.find((r) => r.group === '') : matches[0];
    if (!chosen) throw new Error(`fake apiserver: unknown kind ${apiVersionOrKind}`);
    return chosen;
  }
  const found = RESOURCES.find((r) => apiVersionOf(r) === apiVersionOrKind && r.kind === kind);
  if (!found) throw new Error(`fake apiserver: unknown kind ${apiVersionOrKind} ${kind}`);
  return found;
}

export function groupVersions(): { group: string; versions: string[] }[] {
  const out = new Map<string, Set<string>>();
  for (const r of RESOURCES) {
    if (!out.has(r.group)) out.set(r.group, new Set());
    out.get(r.group)!.add(r.version);
  }
  return [...out].map(([group, versions]) => ({ group, versions: [...versions] }));
}
