import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from './store.ts';
import { normalizeObject } from './normalize.ts';
import type { KubeObject } from '../model/k8s.ts';

const obj = (raw: unknown): KubeObject => {
  const r = normalizeObject(raw);
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.object;
};
const ing = (rv: string, extra: Record<string, unknown> = {}) =>
  obj({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'a', namespace: 'ns', resourceVersion: rv }, spec: { rules: [] }, ...extra });

test('upserts that change nothing relevant (resourceVersion, status) signal no change', () => {
  const s = new Store();
  const changes: string[] = [];
  s.onChange((c) => changes.push(`${c.type} ${c.kind} ${c.key}`));
  assert.equal(s.upsert(ing('1')), true);
  assert.equal(s.upsert(ing('2')), false);
  assert.equal(s.upsert(ing('3', { status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } })), false);
  assert.equal(s.upsert(ing('4', { spec: { rules: [{ host: 'x.test' }] } })), true);
  assert.deepEqual(changes, ['upsert Ingress ns/a', 'upsert Ingress ns/a']);
  assert.equal((s.get('Ingress', 'ns/a') as KubeObject).metadata.resourceVersion, '4');
});

test('snapshots are immutable views; unchanged kinds are shared between snapshots', () => {
  const s = new Store();
  s.upsert(ing('1'));
  const a = s.snapshot();
  s.upsert(obj({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'ns' }, spec: {} }));
  const b = s.snapshot();
  assert.equal(a.services.size, 0);
  assert.equal(b.services.size, 1);
  assert.equal(a.ingresses, b.ingresses);
  assert.ok(Object.isFrozen(b));
});

test('EndpointSlices are indexed by their Service, incrementally', () => {
  const s = new Store();
  const sl = (name: string, svc: string) =>
    obj({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: 'ns', labels: { 'kubernetes.io/service-name': svc } }, addressType: 'IPv4', endpoints: [] });
  s.upsert(sl('a-1', 'a'));
  s.upsert(sl('a-2', 'a'));
  s.upsert(sl('b-1', 'b'));
  assert.deepEqual(s.slicesOf('ns/a').map((x) => x.metadata.name).sort(), ['a-1', 'a-2']);
  assert.equal(s.snapshot().slicesByService.get('ns/b')?.length, 1);
  s.delete('EndpointSlice', 'ns', 'a-1');
  assert.equal(s.serviceOfSlice('ns/a-1'), 'ns/a');
  assert.deepEqual(s.slicesOf('ns/a').map((x) => x.metadata.name), ['a-2']);
});

test('replaceKind deletes objects that disappeared (re-list after a lost watch)', () => {
  const s = new Store();
  s.upsert(ing('1'));
  s.replaceKind('Ingress', []);
  assert.equal(s.count('Ingress'), 0);
});

test('normalize: clear errors naming the field; unknown kinds ignored; stringData folded', () => {
  const bad = normalizeObject({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'x', namespace: 'n', annotations: { a: true } }, spec: {} });
  assert.equal(bad.ok, false);
  assert.match((bad as { error: string }).error, /metadata\.annotations\.a: expected a string \(quote it in YAML\)/);
  const ignored = normalizeObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } });
  assert.deepEqual({ ok: ignored.ok, ignored: (ignored as { ignored: boolean }).ignored }, { ok: false, ignored: true });
  const oldApi = normalizeObject({ apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'd' } });
  assert.match((oldApi as { reason: string }).reason, /networking\.k8s\.io\/v1/);
  const sec = normalizeObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { auth: 'u:p' } });
  assert.equal(sec.ok && sec.object.kind === 'Secret' && Buffer.from(sec.object.data!.auth!, 'base64').toString(), 'u:p');
  assert.equal(sec.ok && sec.object.metadata.namespace, 'default');
});
