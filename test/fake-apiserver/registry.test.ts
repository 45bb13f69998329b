// REST semantics without HTTP: what every write does to metadata, status and history.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from './registry.ts';
import { findByKind } from './resources.ts';
import { ApiError } from './status.ts';
import { VersionedStore, type Obj } from './store.ts';

const INGRESS = findByKind('networking.k8s.io/v1', 'Ingress');
const SERVICE = findByKind('Service');
const SECRET = findByKind('Secret');
const CONFIGMAP = findByKind('ConfigMap');
const NAMESPACE = findByKind('Namespace');
const EVENT_CORE = findByKind('v1', 'Event');
const EVENT_V1 = findByKind('events.k8s.io/v1', 'Event');
const W = { manager: 'test' };

function fresh(): Registry {
  const r = new Registry(new VersionedStore(1000));
  r.create(NAMESPACE, undefined, { metadata: { name: 'default' } }, W);
  return r;
}

function code(c: number, reason?: string) {
  return (e: unknown) => e instanceof ApiError && e.status.code === c && (reason === undefined || e.status.reason === reason);
}

function ingress(name: string, host = 'a.example'): Record<string, unknown> {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name }, spec: { rules: [{ host }] } };
}

test('create fills uid, creationTimestamp, resourceVersion, generation, managedFields; status is reset', () => {
  const r = fresh();
  const ing = r.create(INGRESS, 'default', { ...ingress('web'), status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } }, W);
  const m = ing.metadata;
  assert.match(String(m.uid), /^[0-9a-f-]{36}$/);
  assert.match(String(m.creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(m.resourceVersion, String(r.store.rv));
  assert.equal(m.generation, 1);
  assert.equal(m.namespace, 'default');
  assert.deepEqual(ing.status, { loadBalancer: {} }, 'status given on create is dropped, then defaulted');
  const mf = m.managedFields as { manager: string; operation: string; fieldsV1: Record<string, unknown> }[];
  assert.equal(mf.length, 1);
  assert.equal(mf[0].manager, 'test');
  assert.equal(mf[0].operation, 'Update');
  assert.ok('f:spec' in mf[0].fieldsV1);
  assert.equal(r.create(CONFIGMAP, 'default', { metadata: { name: 'c' } }, W).metadata.generation, undefined, 'no generation without spec');
});

test('create errors: AlreadyExists, missing namespace, invalid name, type mismatch, resourceVersion set', () => {
  const r = fresh();
  r.create(INGRESS, 'default', ingress('web'), W);
  assert.throws(() => r.create(INGRESS, 'default', ingress('web'), W), code(409, 'AlreadyExists'));
  assert.throws(() => r.create(INGRESS, 'nope', ingress('web'), W), code(404, 'NotFound'));
  assert.throws(() => r.create(INGRESS, 'default', ingress('Bad_Name'), W), code(422, 'Invalid'));
  assert.throws(() => r.create(SERVICE, 'default', { metadata: { name: '1svc' } }, W), code(422), 'services need DNS-1035 names');
  assert.throws(() => r.create(INGRESS, 'default', { metadata: {} }, W), code(422));
  assert.throws(() => r.create(INGRESS, 'default', { ...ingress('x'), kind: 'Service' }, W), code(400));
  assert.throws(() => r.create(INGRESS, 'default', { ...ingress('x'), apiVersion: 'extensions/v1beta1' }, W), code(400));
  assert.throws(() => r.create(CONFIGMAP, 'default', { metadata: { name: 'c', resourceVersion: '5' } }, W), code(400));
  assert.throws(() => r.create(CONFIGMAP, 'default', { metadata: { name: 'c', labels: { a: 1 } } }, W), code(422));
  const gen = r.create(CONFIGMAP, 'default', { metadata: { generateName: 'cm-' } }, W);
  assert.match(String(gen.metadata.name), /^cm-[0-9a-f]{5}$/);
});

test('update: optimistic concurrency, generation only on spec change, status untouchable', () => {
  const r = fresh();
  const v1 = r.create(INGRESS, 'default', ingress('web'), W);
  const labelled = r.update(INGRESS, 'default', 'web', { ...structuredClone(v1), metadata: { ...v1.metadata, labels: { a: 'b' } } }, W);
  assert.equal(labelled.metadata.generation, 1, 'a metadata change does not bump generation');
  assert.notEqual(labelled.metadata.resourceVersion, v1.metadata.resourceVersion);
  assert.throws(() => r.update(INGRESS, 'default', 'web', structuredClone(v1) as Obj, W), code(409, 'Conflict'), 'stale RV');
  const specChanged = r.update(
    INGRESS,
    'default',
    'web',
    { ...structuredClone(labelled), spec: { rules: [{ host: 'b.example' }] }, status: { loadBalancer: { ingress: [{ ip: '9.9.9.9' }] } } },
    W,
  );
  assert.equal(specChanged.metadata.generation, 2);
  assert.deepEqual(specChanged.status, { loadBalancer: {} }, 'PUT on the main resource ignores status');
  assert.equal(specChanged.metadata.uid, v1.metadata.uid);
  assert.equal(specChanged.metadata.creationTimestamp, v1.metadata.creationTimestamp);
  const noRv = { ...structuredClone(specChanged), metadata: { name: 'web', labels: { c: 'd' } } };
  assert.equal(r.update(INGRESS, 'default', 'web', noRv, W).metadata.labels?.c, 'd', 'no resourceVersion: unconditional update');
  assert.throws(() => r.update(INGRESS, 'default', 'other', noRv, W), code(404));
  assert.throws(() => r.update(INGRESS, 'default', 'web', { ...noRv, metadata: { name: 'x' } }, W), code(400));
});

test('status subresource: only status changes, generation stays, stale RV conflicts', () => {
  const r = fresh();
  const v1 = r.create(INGRESS, 'default', ingress('web'), W);
  const lb = { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } };
  const s = r.update(
    INGRESS,
    'default',
    'web',
    { ...structuredClone(v1), spec: { rules: [] }, metadata: { ...v1.metadata, labels: { sneaky: 'x' } }, status: lb },
    { ...W, subresource: 'status' },
  );
  assert.deepEqual(s.status, lb);
  assert.deepEqual(s.spec, v1.spec, 'status writes cannot change spec');
  assert.equal(s.metadata.labels, undefined, 'nor metadata');
  assert.equal(s.metadata.generation, 1);
  const entries = s.metadata.managedFields as { subresource?: string }[];
  assert.ok(entries.some((e) => e.subresource === 'status'));
  assert.throws(() => r.update(INGRESS, 'default', 'web', { ...structuredClone(v1), status: {} }, { ...W, subresource: 'status' }), code(409));
  const patched = r.patch(INGRESS, 'default', 'web', 'application/merge-patch+json', { status: { loadBalancer: { ingress: [{ hostname: 'lb' }] } } }, { ...W, subresource: 'status' });
  assert.deepEqual(patched.status, { loadBalancer: { ingress: [{ hostname: 'lb' }] } });
  r.create(CONFIGMAP, 'default', { metadata: { name: 'c' } }, W);
  assert.throws(() => r.update(CONFIGMAP, 'default', 'c', { metadata: { name: 'c' } }, { ...W, subresource: 'status' }), code(404), 'no status subresource');
});

test('no-op writes keep the resourceVersion and produce no change event', () => {
  const r = fresh();
  const v1 = r.create(INGRESS, 'default', ingress('web'), W);
  const before = r.store.rv;
  const same = r.update(INGRESS, 'default', 'web', structuredClone(v1) as Obj, { manager: 'someone-else' });
  assert.equal(same.metadata.resourceVersion, v1.metadata.resourceVersion);
  assert.equal(r.store.rv, before);
  r.patch(INGRESS, 'default', 'web', 'application/merge-patch+json', { status: { loadBalancer: {} } }, { ...W, subresource: 'status' });
  assert.equal(r.store.rv, before, 'writing the same status is a no-op too');
});

test('patch: merge, json and a resourceVersion in the patch as a precondition', () => {
  const r = fresh();
  const v1 = r.create(CONFIGMAP, 'default', { metadata: { name: 'c' }, data: { a: '1' } }, W);
  const merged = r.patch(CONFIGMAP, 'default', 'c', 'application/merge-patch+json', { data: { b: '2', a: null } }, W);
  assert.deepEqual(merged.data, { b: '2' });
  const jp = r.patch(CONFIGMAP, 'default', 'c', 'application/json-patch+json', [{ op: 'add', path: '/data/c', value: '3' }], W);
  assert.deepEqual(jp.data, { b: '2', c: '3' });
  assert.throws(
    () => r.patch(CONFIGMAP, 'default', 'c', 'application/merge-patch+json', { metadata: { resourceVersion: v1.metadata.resourceVersion }, data: { d: '4' } }, W),
    code(409, 'Conflict'),
  );
  assert.throws(() => r.patch(CONFIGMAP, 'default', 'missing', 'application/merge-patch+json', {}, W), code(404));
});

test('delete: preconditions, Status vs object, dryRun', () => {
  const r = fresh();
  const cm = r.create(CONFIGMAP, 'default', { metadata: { name: 'c' } }, W);
  assert.throws(() => r.delete(CONFIGMAP, 'default', 'c', W, { uid: 'nope' }), code(409));
  assert.throws(() => r.delete(CONFIGMAP, 'default', 'c', W, { resourceVersion: '1' }), code(409));
  r.delete(CONFIGMAP, 'default', 'c', { ...W, dryRun: true });
  assert.ok(r.get(CONFIGMAP, 'default', 'c'), 'dry run deletes nothing');
  const gone = r.delete(CONFIGMAP, 'default', 'c', W, { uid: String(cm.metadata.uid) });
  assert.equal(gone.metadata.resourceVersion, String(r.store.rv));
  assert.throws(() => r.get(CONFIGMAP, 'default', 'c'), code(404));
});

test('defaults: Service allocations survive updates; Secret stringData becomes data', () => {
  const r = fresh();
  const svc = r.create(SERVICE, 'default', { metadata: { name: 'web' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } }, W);
  const spec = svc.spec as { clusterIP: string; ports: { protocol: string; targetPort: number; nodePort: number }[]; sessionAffinity: string };
  assert.match(spec.clusterIP, /^10\.96\./);
  assert.equal(spec.ports[0].protocol, 'TCP');
  assert.equal(spec.ports[0].targetPort, 80);
  assert.ok(spec.ports[0].nodePort >= 30000);
  assert.equal(spec.sessionAffinity, 'None');
  const replaced = r.update(SERVICE, 'default', 'web', { metadata: { name: 'web' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } }, W);
  const rspec = replaced.spec as typeof spec;
  assert.equal(rspec.clusterIP, spec.clusterIP, 'clusterIP kept when omitted');
  assert.equal(rspec.ports[0].nodePort, spec.ports[0].nodePort, 'nodePort kept when omitted');
  const secret = r.create(SECRET, 'default', { metadata: { name: 's' }, stringData: { user: 'admin' } }, W);
  assert.equal(secret.type, 'Opaque');
  assert.deepEqual(secret.data, { user: Buffer.from('admin').toString('base64') });
  assert.equal(secret.stringData, undefined);
});

test('lists: namespace scoping, pagination from one snapshot, Exact reads, expiry', () => {
  const r = fresh();
  r.create(NAMESPACE, undefined, { metadata: { name: 'other' } }, W);
  for (const n of ['a', 'b', 'c', 'd']) r.create(CONFIGMAP, 'default', { metadata: { name: n } }, W);
  r.create(CONFIGMAP, 'other', { metadata: { name: 'z' } }, W);
  assert.equal(r.list(CONFIGMAP).items.length, 5);
  assert.equal(r.list(CONFIGMAP, { namespace: 'default' }).items.length, 4);
  const p1 = r.list(CONFIGMAP, { namespace: 'default', limit: 2 });
  assert.deepEqual(p1.items.map((o) => o.metadata.name), ['a', 'b']);
  assert.equal(p1.remainingItemCount, 2);
  r.create(CONFIGMAP, 'default', { metadata: { name: 'bb' } }, W); // after the snapshot: not in later pages
  const p2 = r.list(CONFIGMAP, { namespace: 'default', limit: 2, continueToken: p1.continue });
  assert.deepEqual(p2.items.map((o) => o.metadata.name), ['c', 'd']);
  assert.equal(p2.resourceVersion, p1.resourceVersion);
  assert.equal(p2.continue, undefined);
  const exact = r.list(CONFIGMAP, { namespace: 'default', resourceVersion: p1.resourceVersion, resourceVersionMatch: 'Exact' });
  assert.equal(exact.items.length, 4);
  assert.throws(() => r.list(CONFIGMAP, { resourceVersion: String(r.store.rv + 10) }), code(504));
  assert.throws(() => r.list(CONFIGMAP, { resourceVersionMatch: 'Exact' }), code(400));
  r.store.compact();
  assert.throws(() => r.list(CONFIGMAP, { continueToken: p1.continue }), code(410, 'Expired'));
  assert.throws(() => r.list(CONFIGMAP, { resourceVersion: p1.resourceVersion, resourceVersionMatch: 'Exact' }), code(410, 'Expired'));
  assert.equal(r.list(CONFIGMAP, { resourceVersion: p1.resourceVersion, resourceVersionMatch: 'NotOlderThan' }).items.length, 6);
  assert.throws(() => r.list(CONFIGMAP, { continueToken: 'garbage' }), code(400));
});

test('the two Event APIs share storage and convert field names', () => {
  const r = fresh();
  r.create(
    EVENT_V1,
    'default',
    {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e1' },
      regarding: { kind: 'Ingress', name: 'web', namespace: 'default' },
      note: 'synced',
      reason: 'Sync',
      type: 'Normal',
      reportingController: 'sluice',
      reportingInstance: 'sluice-0',
      action: 'Sync',
      eventTime: '2025-01-01T00:00:00.000000Z',
    },
    W,
  );
  const core = r.get(EVENT_CORE, 'default', 'e1');
  assert.equal(core.apiVersion, 'v1');
  assert.deepEqual(core.involvedObject, { kind: 'Ingress', name: 'web', namespace: 'default' });
  assert.equal(core.message, 'synced');
  assert.equal(core.reportingComponent, 'sluice');
  r.create(EVENT_CORE, 'default', { metadata: { name: 'e2' }, involvedObject: { kind: 'Service', name: 's' }, message: 'm', count: 2 }, W);
  const v1 = r.get(EVENT_V1, 'default', 'e2');
  assert.equal(v1.apiVersion, 'events.k8s.io/v1');
  assert.equal(v1.note, 'm');
  assert.equal(v1.deprecatedCount, 2);
  assert.equal(r.list(EVENT_V1).items.length, 2);
});

test('deleting a namespace deletes what is in it', () => {
  const r = fresh();
  r.create(NAMESPACE, undefined, { metadata: { name: 'doomed' } }, W);
  r.create(CONFIGMAP, 'doomed', { metadata: { name: 'c' } }, W);
  r.create(INGRESS, 'doomed', ingress('i'), W);
  r.create(CONFIGMAP, 'default', { metadata: { name: 'keep' } }, W);
  const ns = r.delete(NAMESPACE, undefined, 'doomed', W);
  assert.equal((ns.status as { phase: string }).phase, 'Terminating');
  assert.equal(r.list(CONFIGMAP).items.length, 1);
  assert.equal(r.list(INGRESS).items.length, 0);
  assert.equal(r.namespaceExists('doomed'), false);
});
