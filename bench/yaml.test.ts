// The manifest emitter and other pure generators must produce what the YAML library reads back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { toYamlStream, yamlScalar } from './lib/yaml.ts';
import { churnObjects, endpointSlices, ingress, service, tlsSecret } from './lib/k8s-objects.ts';
import { realisticTable, renderHaproxyMap } from './lib/routes.ts';
import { parseStubStatusAccepts } from './lib/backend.ts';
import { sumMetric } from './lib/proxies.ts';

const roundTrip = (docs: unknown[]): unknown[] => parseAllDocuments(toYamlStream(docs)).map((d) => d.toJS());

test('scalars that YAML would misread are quoted', () => {
  assert.equal(yamlScalar('ok'), 'ok');
  assert.equal(yamlScalar('kubernetes.io/service-name'), 'kubernetes.io/service-name');
  for (const s of ['true', 'no', 'null', '1000000', '', '* x', 'a: b', '#x', '0x1F', '1e3', 'on']) {
    assert.equal(roundTrip([{ v: s }])[0] && (roundTrip([{ v: s }])[0] as { v: unknown }).v, s, s);
  }
});

test('Kubernetes objects round-trip', () => {
  const t = realisticTable(8);
  const h = t.hosts[t.target]!;
  const docs = [
    service(h.namespace, 'web-4'),
    ...endpointSlices(h.namespace, 'web-4', [9001, 9002]),
    ingress(h),
    tlsSecret(h.namespace, 'bench-tls', '-----BEGIN CERTIFICATE-----\nAAA=\n', 'key'),
    { nested: [[1, 2], [], {}, [{ a: [] }]], empty: {} },
  ];
  assert.deepEqual(roundTrip(docs), JSON.parse(JSON.stringify(docs)));
});

test('route-change generations alternate the extra Ingress and the /api backend', () => {
  const t = realisticTable(8);
  const g0 = churnObjects(t, 0);
  const g1 = churnObjects(t, 1);
  assert.equal(g0.length, 2);
  assert.equal(g1.length, 1);
  const api = (o: Record<string, unknown>): string => {
    const rules = (o.spec as { rules: { http: { paths: { path: string; backend: { service: { name: string } } }[] } }[] }).rules;
    return rules[0]!.http.paths.find((p) => p.path === '/api')!.backend.service.name;
  };
  assert.match(api(g0[0]!), /^api-/);
  assert.match(api(g1[0]!), /^web-/);
});

test('HAProxy map has one line per Ingress path', () => {
  const t = realisticTable(4);
  const lines = renderHaproxyMap(t).trim().split('\n');
  assert.equal(lines.length, 20);
  assert.equal(lines[1], 'app-0.bench.test/api be');
});

test('nginx stub_status accepts', () => {
  const s = 'Active connections: 3 \nserver accepts handled requests\n 1205 1205 98234 \nReading: 0 Writing: 1 Waiting: 2 \n';
  assert.equal(parseStubStatusAccepts(s), 1205);
  assert.ok(Number.isNaN(parseStubStatusAccepts('')));
});

test('Prometheus sample sums', () => {
  const text = '# HELP x_success n\n# TYPE x_success counter\nx_success 7\nx_success_total 99\nx_req{a="1"} 2\nx_req{a="2"} 3\n';
  assert.equal(sumMetric(text, 'x_success'), 7);
  assert.equal(sumMetric(text, 'x_req'), 5);
  assert.ok(Number.isNaN(sumMetric(text, 'nope')));
});
