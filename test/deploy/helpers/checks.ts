// Assertions shared by the tests of deploy/ and of the Helm chart: the security properties of the
// controller pod, its probes and flags, and least-privilege RBAC.

import assert from 'node:assert/strict';
import { parseArgs, type Options } from '../../../src/cli/args.ts';
import { expandedArgs, podSpecOf, type Container, type K8sObject, type PodSpec } from './k8s.ts';

export const ADMIN_PORT = 10254;

/** The controller container of a workload, and its flags as the program parses them. */
export function controllerOf(workload: K8sObject): { pod: PodSpec; container: Container; options: Options } {
  const pod = podSpecOf(workload);
  assert.equal(pod.containers.length, 1, 'one container: the controller');
  const container = pod.containers[0]!;
  const args = expandedArgs(container, { namespace: workload.metadata.namespace ?? 'default', name: 'pod-0' });
  // The real flag parser: a misspelt flag or a bad value fails here, not in the cluster.
  const options = parseArgs(args, {});
  return { pod, container, options };
}

/**
 * Pod and container security: no privilege escalation, read-only root filesystem, every capability
 * dropped, RuntimeDefault seccomp, no host namespaces besides an intended host network. Non-root,
 * except with hostNetwork, where uid 0 may keep NET_BIND_SERVICE and nothing else.
 */
export function assertPodSecurity(workload: K8sObject, expect: { hostNetwork: boolean }): void {
  const { pod, container, options } = controllerOf(workload);
  const sc = container.securityContext ?? {};
  const podSc = pod.securityContext ?? {};
  assert.equal(pod.hostNetwork ?? false, expect.hostNetwork, 'hostNetwork');
  assert.ok(!pod.hostPID && !pod.hostIPC, 'no host PID/IPC namespaces');
  assert.equal(sc.allowPrivilegeEscalation, false, 'allowPrivilegeEscalation: false');
  assert.equal(sc.readOnlyRootFilesystem, true, 'readOnlyRootFilesystem: true');
  assert.notEqual(sc.privileged, true, 'not privileged');
  assert.deepEqual(sc.capabilities?.drop, ['ALL'], 'drops ALL capabilities');
  assert.equal((sc.seccompProfile ?? podSc.seccompProfile)?.type, 'RuntimeDefault', 'seccomp RuntimeDefault');
  for (const v of pod.volumes ?? []) assert.equal(v.hostPath, undefined, `volume ${v.name}: no hostPath`);

  const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
  const runAsUser = sc.runAsUser ?? podSc.runAsUser;
  const privilegedPorts = [options.httpPort, options.httpsPort, options.adminPort].filter((p) => p < 1024);
  if (expect.hostNetwork) {
    assert.equal(pod.dnsPolicy, 'ClusterFirstWithHostNet', 'hostNetwork pods need ClusterFirstWithHostNet to resolve Services');
    assert.deepEqual(sc.capabilities?.add, ['NET_BIND_SERVICE'], 'hostNetwork: only NET_BIND_SERVICE is added');
    // Added capabilities are effective only for uid 0, so a non-root hostNetwork pod could not bind.
    if (privilegedPorts.length > 0) assert.equal(runAsUser, 0, 'binding ports < 1024 with a capability needs uid 0');
  } else {
    assert.equal(sc.capabilities?.add, undefined, 'no capability added');
    assert.equal(runAsNonRoot, true, 'runAsNonRoot: true');
    assert.ok(runAsUser === undefined || runAsUser > 0, 'runAsUser is not 0');
    assert.deepEqual(privilegedPorts, [], 'without NET_BIND_SERVICE every listener must be >= 1024');
    for (const p of container.ports ?? []) assert.equal(p.hostPort, undefined, `port ${p.name}: no hostPort (Pod Security "restricted")`);
  }

  // Read-only root filesystem: /tmp is the only writable place, an emptyDir.
  const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
  assert.ok(tmp, '/tmp is mounted');
  assert.ok(pod.volumes?.find((v) => v.name === tmp.name)?.emptyDir, '/tmp is an emptyDir');
}

/** Probes, ports, downward-API env and shutdown timing agree with the flags. */
export function assertControllerRuntime(workload: K8sObject): void {
  const { pod, container, options } = controllerOf(workload);
  assert.equal(options.adminPort, ADMIN_PORT);
  for (const name of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
    assert.deepEqual(container[name]?.httpGet, { path: '/healthz', port: ADMIN_PORT }, `${name} on /healthz:${ADMIN_PORT}`);
  }
  // Liveness must not kill a pod while it drains (/healthz is 503 from SIGTERM on).
  const live = container.livenessProbe!;
  assert.ok((live.periodSeconds ?? 10) * (live.failureThreshold ?? 3) > options.shutdownGracePeriod, 'liveness outlasts the drain');

  const port = (name: string): number | undefined => container.ports?.find((p) => p.name === name)?.containerPort;
  assert.equal(port('http'), options.httpPort, 'port "http" is --http-port');
  assert.equal(port('https'), options.httpsPort, 'port "https" is --https-port');
  assert.equal(port('metrics'), options.adminPort, 'port "metrics" is --admin-port');

  const fieldOf = (name: string): string | undefined => container.env?.find((e) => e.name === name)?.valueFrom?.fieldRef?.fieldPath;
  assert.equal(fieldOf('POD_NAMESPACE'), 'metadata.namespace');
  assert.equal(fieldOf('POD_NAME'), 'metadata.name');

  const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
  assert.ok(preStop > 0, 'a preStop sleep lets endpoints be removed before sluice stops listening');
  assert.ok((pod.terminationGracePeriodSeconds ?? 30) > preStop + options.shutdownGracePeriod, 'terminationGracePeriodSeconds > preStop + --shutdown-grace-period');

  assert.ok(container.resources?.requests?.cpu && container.resources.requests.memory, 'CPU and memory requests');
  assert.ok(container.resources?.limits?.memory, 'a memory limit');
  assert.ok(!container.command, 'the image entrypoint runs, not a replacement command');
}

type Grants = Record<string, string[]>;

/** RBAC rules flattened to "group/resource[names]" → sorted verbs, rejecting wildcards. */
export function grantsOf(role: K8sObject): Grants {
  const grants: Grants = {};
  for (const rule of (role.rules ?? []) as { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }[]) {
    assert.equal(rule.nonResourceURLs, undefined, `${role.metadata.name}: no nonResourceURLs`);
    for (const field of [rule.apiGroups, rule.resources, rule.verbs, rule.resourceNames]) {
      assert.ok(!(field ?? []).includes('*'), `${role.metadata.name}: no "*" in ${JSON.stringify(rule)}`);
    }
    const names = rule.resourceNames ? `[${[...rule.resourceNames].sort().join(',')}]` : '';
    for (const g of rule.apiGroups ?? []) {
      for (const r of rule.resources ?? []) {
        const key = `${g}/${r}${names}`;
        grants[key] = [...new Set([...(grants[key] ?? []), ...rule.verbs])].sort();
      }
    }
  }
  return grants;
}

const READ = ['get', 'list', 'watch'];

/** Everything sluice may do cluster-wide, and nothing more. */
export const EXPECTED_CLUSTER_GRANTS: Grants = {
  '/configmaps': READ,
  '/nodes': READ,
  '/secrets': READ,
  '/services': READ,
  'discovery.k8s.io/endpointslices': READ,
  'networking.k8s.io/ingressclasses': READ,
  'networking.k8s.io/ingresses': READ,
  'networking.k8s.io/ingresses/status': ['patch', 'update'],
  '/events': ['create', 'patch'],
  'events.k8s.io/events': ['create', 'patch'],
};

/** Leader election in the controller's namespace: create any Lease, read/renew only its own. */
export function expectedLeaseGrants(electionId: string): Grants {
  return {
    'coordination.k8s.io/leases': ['create'],
    [`coordination.k8s.io/leases[${electionId}]`]: ['get', 'update'],
  };
}

/** Least-privilege RBAC for the controller's ServiceAccount, bound as the workload uses it. */
export function assertRbac(objects: readonly K8sObject[], workload: K8sObject): void {
  const { pod, options } = controllerOf(workload);
  const namespace = workload.metadata.namespace!;
  const sa = pod.serviceAccountName!;
  const clusterRoles = objects.filter((o) => o.kind === 'ClusterRole');
  const roles = objects.filter((o) => o.kind === 'Role');
  assert.equal(clusterRoles.length, 1, 'one ClusterRole');
  assert.equal(roles.length, 1, 'one Role');
  const [clusterRole, role] = [clusterRoles[0]!, roles[0]!];

  assert.deepEqual(grantsOf(clusterRole), EXPECTED_CLUSTER_GRANTS);
  assert.equal(role.metadata.namespace, namespace, 'the lease Role lives in the controller namespace');
  assert.deepEqual(grantsOf(role), expectedLeaseGrants(options.electionId));

  assert.ok(objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === sa && o.metadata.namespace === namespace), `ServiceAccount ${sa} exists`);
  const bound = (kind: string, roleKind: string, roleName: string): void => {
    const b = objects.find((o) => o.kind === kind && (o.roleRef as { name: string }).name === roleName);
    assert.ok(b, `${kind} for ${roleName}`);
    assert.deepEqual(b.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName });
    assert.deepEqual(b.subjects, [{ kind: 'ServiceAccount', name: sa, namespace }]);
  };
  bound('ClusterRoleBinding', 'ClusterRole', clusterRole.metadata.name);
  bound('RoleBinding', 'Role', role.metadata.name);
  if (role.metadata.namespace) {
    const rb = objects.find((o) => o.kind === 'RoleBinding')!;
    assert.equal(rb.metadata.namespace, namespace);
  }
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function parseRef(ref: string): { namespace: string; name: string } {
  const [namespace, name] = ref.split('/') as [string, string];
  return { namespace, name };
}

/** The objects reference each other correctly: selectors, named ports, flags naming objects. */
export function assertWiring(objects: readonly K8sObject[], workload: K8sObject): void {
  const { container, options } = controllerOf(workload);
  const spec = workload.spec as { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> } } };
  const podLabels = spec.template.metadata.labels;
  assert.ok(matches(spec.selector.matchLabels, podLabels), 'workload selector matches its pod labels');
  const portNames = new Set((container.ports ?? []).map((p) => p.name));

  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const s = svc.spec as { selector: Record<string, string>; ports: { name: string; targetPort: string | number }[] };
    assert.ok(matches(s.selector, podLabels), `${svc.metadata.name} selects the controller pods`);
    for (const p of s.ports) assert.ok(portNames.has(String(p.targetPort)), `${svc.metadata.name}: targetPort ${p.targetPort} is a named container port`);
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    assert.ok(matches((pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels, podLabels), 'PDB selects the controller pods');
  }

  const exists = (kind: string, ref: string): boolean => {
    const { namespace, name } = parseRef(ref);
    return objects.some((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);
  };
  assert.ok(options.configmap && exists('ConfigMap', options.configmap), `--configmap ${options.configmap} exists`);
  if (options.publishService) assert.ok(exists('Service', options.publishService), `--publish-service ${options.publishService} exists`);

  const ingressClass = objects.find((o) => o.kind === 'IngressClass');
  if (ingressClass) {
    assert.equal(ingressClass.metadata.name, options.ingressClass, 'IngressClass name is --ingress-class');
    assert.equal((ingressClass.spec as { controller: string }).controller, options.controllerClass, 'spec.controller is --controller-class');
  }

  for (const sm of objects.filter((o) => o.kind === 'ServiceMonitor')) {
    const s = sm.spec as { selector: { matchLabels: Record<string, string> }; namespaceSelector?: { matchNames?: string[] }; endpoints: { port: string; path?: string }[] };
    const namespaces = s.namespaceSelector?.matchNames ?? [sm.metadata.namespace];
    const scraped = objects.filter((o) => o.kind === 'Service' && namespaces.includes(o.metadata.namespace) && matches(s.selector.matchLabels, o.metadata.labels));
    const withPort = scraped.filter((o) => (o.spec as { ports: { name: string }[] }).ports.some((p) => s.endpoints.some((e) => e.port === p.name)));
    assert.equal(withPort.length, 1, 'the ServiceMonitor scrapes exactly the metrics Service');
    const metricsPort = (withPort[0]!.spec as { ports: { name: string; targetPort: string }[] }).ports.find((p) => p.name === s.endpoints[0]!.port)!;
    assert.equal(container.ports?.find((p) => p.name === metricsPort.targetPort)?.containerPort, options.adminPort, 'it scrapes the admin port');
    assert.equal(s.endpoints[0]!.path ?? '/metrics', '/metrics');
  }
}
