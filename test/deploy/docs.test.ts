// docs/cluster.md, the chart README and the comments in values.yaml and deploy/ stay true: flags
// they name exist, example YAML is valid, `--set` examples render, paths exist, and every chart
// value is documented.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { FLAGS } from '../../src/cli/args.ts';
import { find, objectId, parseYamlStream, validateObject } from './helpers/k8s.ts';
import { helm, REPO } from './helpers/tools.ts';

const read = (path: string): string => readFileSync(join(REPO, path), 'utf8');
const CLUSTER_MD = read('docs/cluster.md');
const CHART_README = read('charts/sluice/README.md');
const VALUES_YAML = read('charts/sluice/values.yaml');
const deployFiles = ['deploy', 'deploy/daemonset'].flatMap((d) => readdirSync(join(REPO, d)).filter((f) => /\.yaml$|^Kustomization$/.test(f)).map((f) => `${d}/${f}`));

function codeBlocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].filter((m) => m[1] === lang).map((m) => m[2]!);
}

test('docs/cluster.md has the two sections', () => {
  assert.match(CLUSTER_MD, /^## Run it in a cluster$/m);
  assert.match(CLUSTER_MD, /^## Replace ingress-nginx$/m);
});

test('every --flag named in the docs and manifests is a sluice flag (or a kubectl/helm/curl one)', () => {
  // Flags of the other commands shown in the docs.
  const otherTools = new Set(['namespace', 'create-namespace', 'set', 'reuse-values', 'type', 'resolve', 'key']);
  const texts = [CLUSTER_MD, CHART_README, VALUES_YAML, ...deployFiles.map(read)];
  for (const text of texts) {
    for (const m of text.matchAll(/--([a-z][a-z0-9-]+)/g)) {
      assert.ok(m[1]! in FLAGS || otherTools.has(m[1]!), `--${m[1]} is not a flag of sluice`);
    }
  }
});

test('the example in "Try it" is valid and routes to its Service through class sluice', () => {
  const objects = codeBlocks(CLUSTER_MD, 'yaml').flatMap((b) => parseYamlStream(b, 'docs/cluster.md'));
  for (const o of objects) assert.doesNotThrow(() => validateObject(o), objectId(o));
  const ingress = find(objects, 'Ingress', 'echo').spec as { ingressClassName: string; rules: { http: { paths: { backend: { service: { name: string; port: { number: number } } } }[] } }[] };
  assert.equal(ingress.ingressClassName, 'sluice');
  const backend = ingress.rules[0]!.http.paths[0]!.backend.service;
  const svc = find(objects, 'Service', backend.name).spec as { ports: { port: number }[] };
  assert.ok(svc.ports.some((p) => p.port === backend.port.number));
});

test('every `--set` shown in the docs renders', () => {
  const sets = [CLUSTER_MD, CHART_README].flatMap((t) => [...t.matchAll(/--set\s+'?([^'`\s]+)'?/g)].map((m) => m[1]!));
  assert.ok(sets.length >= 4);
  for (const s of sets) assert.doesNotThrow(() => helm(['template', 'sluice', 'charts/sluice', '--set', s]), s);
});

test('repository paths named in the docs exist', () => {
  for (const text of [CLUSTER_MD, CHART_README]) {
    for (const m of text.matchAll(/`((?:deploy|charts|docs)\/[A-Za-z0-9./_-]*|Dockerfile)`/g)) {
      assert.ok(existsSync(join(REPO, m[1]!)), `${m[1]} exists`);
    }
  }
});

/** Paths of the chart's values, e.g. service.nodePorts.http; maps of user data count as one. */
function valuePaths(values: Record<string, unknown>, prefix = ''): string[] {
  const freeForm = new Set(['resources', 'nodeSelector']);
  return Object.entries(values).flatMap(([k, v]) => {
    const path = prefix + k;
    const nested = v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0 && !freeForm.has(path);
    return nested ? valuePaths(v as Record<string, unknown>, `${path}.`) : [path];
  });
}

test('the chart README documents every value', () => {
  const paths = valuePaths(parse(VALUES_YAML) as Record<string, unknown>);
  const documented = new Set([...CHART_README.matchAll(/^\| `([^`]+)`(?:, `([^`]+)`)? \|/gm)].flatMap((m) => [m[1]!, m[2]].filter((x) => x !== undefined)));
  assert.deepEqual(paths.filter((p) => !documented.has(p)), [], 'values missing from the README table');
  assert.deepEqual([...documented].filter((p) => !paths.includes(p)), [], 'README rows for values that do not exist');
});

test('every value in values.yaml has a comment, on itself or on its parent', () => {
  const lines = VALUES_YAML.split('\n');
  const commented: boolean[] = []; // by indentation depth: whether the enclosing key is commented
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)([A-Za-z][\w.-]*):/.exec(lines[i]!);
    if (!m || lines[i]!.trimStart().startsWith('-')) continue;
    const depth = m[1]!.length / 2;
    const own = /^\s*#/.test(lines[i - 1] ?? '');
    commented.length = depth;
    const inherited = commented.some(Boolean);
    const isLeaf = !/:\s*$/.test(lines[i]!);
    if (isLeaf) assert.ok(own || inherited, `values.yaml line ${i + 1}: ${m[2]} has no comment`);
    commented[depth] = own;
  }
});

test('the chart offers the values its users expect from an ingress controller chart', () => {
  const paths = new Set(valuePaths(parse(VALUES_YAML) as Record<string, unknown>));
  const required = [
    'replicaCount', 'kind', 'hostNetwork', 'image.repository', 'image.tag', 'image.pullPolicy',
    'service.type', 'service.annotations', 'service.externalTrafficPolicy', 'service.loadBalancerIP', 'service.nodePorts.http',
    'ingressClass.name', 'ingressClass.default', 'ingressClass.create', 'ingressClass.controllerValue',
    'publishService.enabled', 'publishService.pathOverride', 'publishStatusAddress', 'defaultBackendService',
    'defaultSslCertificate', 'config', 'extraArgs', 'resources', 'nodeSelector', 'tolerations', 'affinity', 'topologySpread',
    'podDisruptionBudget.enabled', 'metrics.enabled', 'metrics.serviceMonitor.enabled', 'metrics.serviceMonitor.namespace',
    'metrics.serviceMonitor.interval', 'metrics.serviceMonitor.labels', 'rbac.create', 'serviceAccount.create', 'serviceAccount.name',
    'podAnnotations', 'priorityClassName', 'terminationGracePeriodSeconds', 'shutdownGracePeriod', 'workers', 'logLevel',
  ];
  assert.deepEqual(required.filter((p) => !paths.has(p)), []);
});
