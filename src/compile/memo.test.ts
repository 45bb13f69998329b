// The compile memos are invisible: after any sequence of changes, compiling the store's snapshot
// (where unchanged objects are the same objects, so caches hit) gives exactly what compiling a
// deep copy of it gives (new objects everywhere, so nothing is reused) — table, hash,
// diagnostics, reports and referenced Secrets.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configMap, ingress, service, slice } from '../../test/helpers/objects.ts';
import type { KubeObject } from '../model/k8s.ts';
import { normalizeObject } from '../store/normalize.ts';
import { Store, type Snapshot } from '../store/store.ts';
import { compile, type CompileOptions } from './compile.ts';

const OPTS: CompileOptions = {
  ingressClass: 'sluice',
  controllerClass: 'sluice.dev/ingress-controller',
  watchWithoutClass: false,
  defaultBackendService: 'ns/default',
  configMap: 'ns/cfg',
  annotationsPrefix: 'nginx.ingress.kubernetes.io',
  allowCrossNamespaceSecrets: false,
  defaultSslCertificate: null,
};

const obj = (o: object): KubeObject => {
  const r = normalizeObject(o);
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.object;
};

function deepCopy(snap: Snapshot): Snapshot {
  const store = new Store();
  for (const m of [snap.ingresses, snap.ingressClasses, snap.services, snap.endpointSlices, snap.secrets, snap.configMaps]) {
    for (const o of (m as ReadonlyMap<string, KubeObject>).values()) store.upsert(structuredClone(o));
  }
  return store.snapshot();
}

function view(snap: Snapshot, generation: number): unknown {
  const r = compile(snap, OPTS, generation, Date.UTC(2030, 0, 1));
  return JSON.parse(JSON.stringify(r));
}

test('memoized compiles equal compiles from scratch, through a sequence of changes', () => {
  const store = new Store();
  const up = (o: object): void => void store.upsert(obj(o));
  const ing = (name: string, svc: string, annotations?: Record<string, string>, extra: { path?: string; host?: string } = {}): object =>
    ingress('ns', name, [{ host: extra.host ?? `${name}.test`, paths: [{ path: extra.path ?? '/', service: svc }] }], { annotations, creationTimestamp: '2024-01-01T00:00:00Z' });
  up(service('ns', 'default'));
  for (let i = 0; i < 6; i++) {
    up(service('ns', `s${i}`));
    up(slice('ns', `s${i}`, 'http', 8000 + i, [`10.0.0.${i}`]));
    up(ing(`i${i}`, `s${i}`, i % 2 ? { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' } : undefined));
  }
  const steps: [string, () => void][] = [
    ['initial', () => {}],
    ['an Ingress changes path', () => up(ing('i1', 's1', { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' }, { path: '/v2' }))],
    ['an annotation becomes invalid', () => up(ing('i2', 's2', { 'nginx.ingress.kubernetes.io/proxy-read-timeout': 'soon' }))],
    ['a slice changes', () => up(slice('ns', 's3', 'http', 9000, ['10.0.1.3']))],
    ['a Service port changes', () => up(service('ns', 's4', [{ name: 'http', port: 81, targetPort: 'http' }]))],
    ['a Service goes', () => store.delete('Service', 'ns', 's5')],
    ['the ConfigMap appears', () => up(configMap('ns', 'cfg', { 'proxy-body-size': '2m', 'proxy-connect-timeout': '3' }))],
    ['the ConfigMap changes', () => up(configMap('ns', 'cfg', { 'proxy-body-size': '3m' }))],
    ['a host conflict', () => up(ing('i0b', 's0', undefined, { host: 'i0.test' }))],
    ['the default backend goes', () => store.delete('Service', 'ns', 'default')],
    ['nothing changes', () => {}],
  ];
  let gen = 0;
  for (const [what, change] of steps) {
    change();
    gen++;
    const snap = store.snapshot();
    const memo = view(snap, gen);
    assert.deepEqual(memo, view(deepCopy(snap), gen), what);
  }
});
