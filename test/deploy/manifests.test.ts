// deploy/ (Deployment behind a LoadBalancer Service) and deploy/daemonset/ (hostNetwork): both
// install with `kubectl apply -f DIR` and `kubectl apply -k DIR`, every object is valid against
// the Kubernetes schemas, and the controller runs with least privilege.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { CONFIG_KEYS } from '../../src/compile/config.ts';
import { assertControllerRuntime, assertPodSecurity, assertRbac, assertWiring, controllerOf } from './helpers/checks.ts';
import { find, objectId, parseYamlStream, readYamlFile, validateObject, type K8sObject } from './helpers/k8s.ts';
import { kubectl, REPO } from './helpers/tools.ts';

const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const NAMESPACE = 'sluice';

/** The files `kubectl apply -f DIR` reads: *.yaml, *.yml and *.json directly in DIR. */
function applyFiles(dir: string): string[] {
  return readdirSync(join(REPO, dir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
}

function loadDir(dir: string): K8sObject[] {
  return applyFiles(dir).flatMap((f) => readYamlFile(join(REPO, dir, f)));
}

const variants = [
  { dir: 'deploy', kind: 'Deployment', hostNetwork: false },
  { dir: 'deploy/daemonset', kind: 'DaemonSet', hostNetwork: true },
] as const;

for (const v of variants) {
  describe(`${v.dir}/`, () => {
    const objects = loadDir(v.dir);
    const workload = find(objects, v.kind, 'sluice-controller');

    test('every object is valid against its Kubernetes schema', () => {
      assert.ok(objects.length > 0);
      for (const o of objects) assert.doesNotThrow(() => validateObject(o), objectId(o));
    });

    test('`kubectl apply -f` order creates the Namespace first; everything else is in it', () => {
      assert.equal(objects[0]!.kind, 'Namespace');
      assert.equal(objects[0]!.metadata.name, NAMESPACE);
      const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass']);
      for (const o of objects) {
        if (clusterScoped.has(o.kind)) assert.equal(o.metadata.namespace, undefined, objectId(o));
        else assert.equal(o.metadata.namespace, NAMESPACE, objectId(o));
      }
      const ids = objects.map(objectId);
      assert.equal(new Set(ids).size, ids.length, 'no object defined twice');
    });

    test('the Kustomization lists exactly the files `kubectl apply -f` reads', () => {
      // Named `Kustomization` (no extension) so `kubectl apply -f` does not try to apply it.
      const k = parse(readFileSync(join(REPO, v.dir, 'Kustomization'), 'utf8')) as { kind: string; resources: string[] };
      assert.equal(k.kind, 'Kustomization');
      assert.deepEqual([...k.resources].sort(), applyFiles(v.dir));
    });

    test('`kubectl kustomize` renders the same objects, all schema-valid', () => {
      const rendered = parseYamlStream(kubectl(['kustomize', v.dir]), `kubectl kustomize ${v.dir}`);
      for (const o of rendered) assert.doesNotThrow(() => validateObject(o), objectId(o));
      const byId = (list: K8sObject[]) => new Map(list.map((o) => [objectId(o), o]));
      assert.deepEqual(byId(rendered), byId(objects));
    });

    test('controller pod: non-root or minimal capability, read-only root filesystem, no escalation', () => {
      assertPodSecurity(workload, { hostNetwork: v.hostNetwork });
    });

    test('probes on /healthz:10254, flags parse, graceful shutdown fits the grace period', () => {
      assertControllerRuntime(workload);
    });

    test('RBAC: least privilege, leases only through a namespaced Role', () => {
      assertRbac(objects, workload);
    });

    test('selectors, named ports and flag references line up', () => {
      assertWiring(objects, workload);
    });

    test('image tag and version labels are the package version', () => {
      const { container } = controllerOf(workload);
      assert.equal(container.image, `sluice:${VERSION}`);
      for (const o of objects) assert.equal(o.metadata.labels?.['app.kubernetes.io/version'], VERSION, objectId(o));
    });

    test('the IngressClass is not the cluster default', () => {
      const ic = find(objects, 'IngressClass', 'sluice');
      assert.equal(ic.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'], undefined);
    });
  });
}

describe('deploy/ (Deployment)', () => {
  const objects = loadDir('deploy');
  const deployment = find(objects, 'Deployment', 'sluice-controller');
  const { pod, options } = controllerOf(deployment);

  test('two replicas spread over zones and nodes, a PDB keeps one', () => {
    assert.equal((deployment.spec as { replicas: number }).replicas, 2);
    assert.deepEqual(pod.topologySpreadConstraints?.map((c) => c.topologyKey), ['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    assert.equal((find(objects, 'PodDisruptionBudget', 'sluice-controller').spec as { minAvailable: number }).minAvailable, 1);
  });

  test('unprivileged pod ports behind a LoadBalancer on 80/443 that keeps client IPs', () => {
    assert.equal(options.httpPort, 8080);
    assert.equal(options.httpsPort, 8443);
    const svc = find(objects, 'Service', 'sluice-controller').spec as { type: string; externalTrafficPolicy: string; ports: { port: number; targetPort: string }[] };
    assert.equal(svc.type, 'LoadBalancer');
    assert.equal(svc.externalTrafficPolicy, 'Local');
    assert.deepEqual(svc.ports.map((p) => [p.port, p.targetPort]), [[80, 'http'], [443, 'https']]);
    const metrics = find(objects, 'Service', 'sluice-controller-metrics').spec as { type: string; ports: { port: number }[] };
    assert.equal(metrics.type, 'ClusterIP');
    assert.deepEqual(metrics.ports.map((p) => p.port), [10254]);
  });

  test('Ingress status is published from the LoadBalancer Service', () => {
    assert.equal(options.publishService, 'sluice/sluice-controller');
    assert.equal(options.configmap, 'sluice/sluice-config');
    assert.equal(options.electionId, 'sluice-leader');
  });

  test('the ConfigMap is empty and its commented example uses real option names', () => {
    const text = readFileSync(join(REPO, 'deploy/40-configmap.yaml'), 'utf8');
    assert.deepEqual(find(objects, 'ConfigMap', 'sluice-config').data, {});
    const keys = [...text.matchAll(/^#\s+([a-z0-9-]+):[ \t]+"/gm)].map((m) => m[1]!);
    assert.ok(keys.length > 0, 'an example is given');
    for (const k of keys) assert.ok(k in CONFIG_KEYS, `example key ${k} is an option sluice reads`);
  });
});

test('namespaces enforce the strictest Pod Security level their controller meets', () => {
  const level = (dir: string) => find(loadDir(dir), 'Namespace', NAMESPACE).metadata.labels?.['pod-security.kubernetes.io/enforce'];
  assert.equal(level('deploy'), 'restricted');
  // hostNetwork and hostPorts are outside even "baseline".
  assert.equal(level('deploy/daemonset'), 'privileged');
  const strip = (dir: string) => {
    const ns = structuredClone(find(loadDir(dir), 'Namespace', NAMESPACE));
    delete ns.metadata.labels?.['pod-security.kubernetes.io/enforce'];
    return ns;
  };
  assert.deepEqual(strip('deploy/daemonset'), strip('deploy'));
});

describe('deploy/daemonset/ (hostNetwork)', () => {
  const objects = loadDir('deploy/daemonset');
  const daemonSet = find(objects, 'DaemonSet', 'sluice-controller');
  const { pod, options } = controllerOf(daemonSet);

  test('serves ports 80/443 of each node directly, with no LoadBalancer Service or PDB', () => {
    assert.equal(options.httpPort, 80);
    assert.equal(options.httpsPort, 443);
    const hostPorts = pod.containers[0]!.ports!.map((p) => [p.name, p.containerPort, p.hostPort]);
    assert.deepEqual(hostPorts, [['http', 80, 80], ['https', 443, 443], ['metrics', 10254, 10254]]);
    assert.deepEqual(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name), ['sluice-controller-metrics']);
    assert.ok(!objects.some((o) => o.kind === 'PodDisruptionBudget' || o.kind === 'Deployment'));
    assert.equal(options.publishService, null, 'no Service to publish');
  });

  test('the files it shares with deploy/ are identical copies', () => {
    // The Namespace differs on purpose: its Pod Security level (see the next test).
    const shared = applyFiles('deploy/daemonset').filter((f) => applyFiles('deploy').includes(f) && f !== '00-namespace.yaml');
    assert.ok(shared.length >= 6, `shared files: ${shared.join(', ')}`);
    for (const f of shared) {
      assert.equal(readFileSync(join(REPO, 'deploy/daemonset', f), 'utf8'), readFileSync(join(REPO, 'deploy', f), 'utf8'), `deploy/daemonset/${f} differs from deploy/${f}`);
    }
  });

  test('its pod differs from the Deployment pod only where host networking requires', () => {
    const deployPod = structuredClone(controllerOf(find(loadDir('deploy'), 'Deployment', 'sluice-controller')).pod);
    const dsPod = structuredClone(pod);
    // Expected differences, removed from both sides before comparing the rest.
    delete deployPod.topologySpreadConstraints;
    delete deployPod.securityContext;
    delete dsPod.securityContext;
    delete dsPod.hostNetwork;
    delete dsPod.dnsPolicy;
    for (const p of [deployPod, dsPod]) {
      const c = p.containers[0]!;
      c.args = c.args!.filter((a) => !/^--(http|https)-port=|^--publish-service=/.test(a));
      delete c.ports;
      delete c.securityContext;
    }
    assert.deepEqual(dsPod, deployPod);
  });
});
