// YAML documents to Kubernetes objects, and schema validation of each through the model class
// for its apiVersion/kind from kubernetes-models (the Kubernetes OpenAPI schemas) or, for the
// Prometheus Operator ServiceMonitor, from @kubernetes-models/prometheus-operator (its CRD schema).

import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { Lease } from 'kubernetes-models/coordination.k8s.io/v1';
import { Ingress, IngressClass } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';

/** A Kubernetes object as parsed from YAML; fields are checked by the tests that read them. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

// Every kind sluice's manifests may contain. An unlisted kind fails the test: add it here when a
// manifest starts using it, so nothing goes unvalidated.
const MODELS: Record<string, ModelClass> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/DaemonSet': DaemonSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/IngressClass': IngressClass,
  'networking.k8s.io/v1/Ingress': Ingress,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'coordination.k8s.io/v1/Lease': Lease,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

/** Every non-empty document of a YAML stream; a YAML syntax error throws. */
export function parseYamlStream(text: string, source: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    out.push(value as K8sObject);
  }
  return out;
}

export function readYamlFile(path: string): K8sObject[] {
  return parseYamlStream(readFileSync(path, 'utf8'), path);
}

export function objectId(o: K8sObject): string {
  return `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
}

/** Throws with the schema errors when `o` is not a valid object of its kind (or an unknown kind). */
export function validateObject(o: K8sObject): void {
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (!Model) throw new Error(`${objectId(o)}: no schema for ${o.apiVersion} ${o.kind}`);
  new Model(o as never).validate();
}

export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} among: ${objects.map(objectId).join(', ')}`);
  return o;
}

/** The pod spec of a Deployment or DaemonSet. */
export function podSpecOf(workload: K8sObject): PodSpec {
  return (workload.spec as { template: { spec: PodSpec } }).template.spec;
}

// The parts of a pod spec the tests look at.
export interface Probe {
  httpGet?: { path: string; port: number | string };
  periodSeconds?: number;
  failureThreshold?: number;
}
export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type: string };
}
export interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { name?: string; containerPort: number; hostPort?: number; protocol?: string }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface PodSpec {
  serviceAccountName?: string;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  dnsPolicy?: string;
  terminationGracePeriodSeconds?: number;
  securityContext?: SecurityContext;
  topologySpreadConstraints?: { topologyKey: string; whenUnsatisfiable: string; labelSelector?: unknown }[];
  containers: Container[];
  volumes?: { name: string; emptyDir?: unknown; hostPath?: unknown }[];
}

/** Container args with the kubelet's $(VAR) expansion applied from literal and downward-API env. */
export function expandedArgs(c: Container, pod: { namespace: string; name: string }): string[] {
  const env = new Map<string, string>();
  for (const e of c.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    if (e.value !== undefined) env.set(e.name, e.value);
    else if (field === 'metadata.namespace') env.set(e.name, pod.namespace);
    else if (field === 'metadata.name') env.set(e.name, pod.name);
  }
  return (c.args ?? []).map((a) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string) => env.get(name) ?? m));
}
