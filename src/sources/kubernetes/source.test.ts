// KubernetesSource in-process against the fake API server (through the real client code path):
// what reaches the store, and how.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { startFakeApiServer, waitFor, type FakeApiServer } from '../../../test/fake-apiserver/index.ts';
import { ingress, service, slice } from '../../../test/helpers/objects.ts';
import { createLogger } from '../../log/logger.ts';
import { Store } from '../../store/store.ts';
import { ClientNodeApi, loadKubeConfig } from './api-client.ts';
import { KubernetesSource, type KubernetesSourceOptions } from './source.ts';

const log = createLogger('silent');
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(o: Partial<KubernetesSourceOptions> = {}): Promise<{ api: FakeApiServer; store: Store; source: KubernetesSource }> {
  const api = await startFakeApiServer({ bookmarkIntervalMs: 200 });
  cleanups.push(() => api.close());
  const kube = new ClientNodeApi(loadKubeConfig(await api.writeKubeconfig()));
  const store = new Store();
  const source = new KubernetesSource(kube, store, { watchNamespace: null, configMap: null, defaultSslCertificate: null, defaultBackendService: null, publishService: null, ...o }, log);
  cleanups.push(() => source.stop());
  return { api, store, source };
}

function opaque(ns: string, name: string, data: Record<string, string>, type = 'Opaque'): Record<string, unknown> {
  const enc: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) enc[k] = Buffer.from(v).toString('base64');
  return { apiVersion: 'v1', kind: 'Secret', type, metadata: { name, namespace: ns }, data: enc };
}

test('objects are cached without managedFields (and without fields sluice does not read)', async () => {
  const { api, store, source } = await setup();
  api.create(ingress('default', 'web', [{ host: 'a.test', paths: [{ path: '/', service: 'app' }] }]) as never);
  api.create(service('default', 'app') as never);
  assert.ok((api.get<{ metadata: { managedFields?: unknown[] } }>('Ingress', 'default', 'web')!.metadata.managedFields ?? []).length > 0, 'the API has managedFields');
  source.start();
  await source.initialSync();
  api.patch('Service', 'default', 'app', { metadata: { labels: { changed: 'yes' } } }, 'merge');
  await waitFor(() => store.get('Service', 'default/app')?.metadata.labels?.changed === 'yes');
  for (const [kind, key] of [['Ingress', 'default/web'], ['Service', 'default/app']] as const) {
    const o = store.get(kind, key) as unknown as { metadata: Record<string, unknown> };
    assert.equal(o.metadata.managedFields, undefined, `${kind} from ${kind === 'Service' ? 'the watch' : 'the list'}`);
    assert.ok(o.metadata.resourceVersion, 'resourceVersion kept (status writes are conditional on it)');
  }
});

test('lists are paginated (500 per page) and complete', async () => {
  const { api, store, source } = await setup();
  for (let i = 0; i < 1201; i++) api.create(ingress(`ns-${i % 7}`, `ing-${i}`, [{ host: `h${i}.test`, paths: [{ service: 'app' }] }]) as never);
  source.start();
  await source.initialSync();
  assert.equal(store.count('Ingress'), 1201);
  const lists = api.requests.filter((r) => r.verb === 'list' && r.resource?.startsWith('ingresses'));
  assert.equal(lists.length, 3);
  assert.equal(lists[0]!.query.limit, '500');
  assert.ok(lists[1]!.query.continue);
});

test('--watch-namespace: only that namespace, plus flag-named objects outside it by name', async () => {
  const { api, store, source } = await setup({ watchNamespace: 'apps', publishService: 'ingress/sluice', configMap: 'ingress/sluice-config' });
  api.create(service('apps', 'mine') as never);
  api.create(service('other', 'theirs') as never);
  api.create(service('ingress', 'sluice') as never);
  api.create(service('ingress', 'unrelated') as never);
  api.create(slice('ingress', 'sluice', 'http', 8080, ['10.0.0.1']) as never);
  api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sluice-config', namespace: 'ingress' }, data: { a: 'b' } });
  api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: 'ingress' }, data: {} });
  source.start();
  await source.initialSync();
  assert.deepEqual([...store.keys('Service')].sort(), ['apps/mine', 'ingress/sluice']);
  assert.deepEqual([...store.keys('ConfigMap')], ['ingress/sluice-config']);
  assert.equal(store.slicesOf('ingress/sluice').length, 1);
  const paths = new Set(api.requests.filter((r) => r.verb === 'list').map((r) => `${r.path}?${new URLSearchParams(r.query as Record<string, string>).toString()}`));
  assert.deepEqual([...paths].filter((p) => !p.includes('/namespaces/') && !p.includes('ingressclasses')), [], 'nothing listed cluster-wide but IngressClasses');
});

test('annotation-referenced Secrets are watched by name: found, updated, released', async () => {
  const { api, store, source } = await setup();
  api.create(opaque('default', 'auth', { auth: 'u:1' }));
  api.create(opaque('default', 'other', { auth: 'x' }));
  source.start();
  await source.initialSync();
  assert.equal(store.count('Secret'), 0, 'Opaque Secrets are not listed');
  await source.setReferenced({ referencedSecrets: ['default/auth', 'default/missing'] });
  assert.deepEqual([...store.keys('Secret')], ['default/auth']);
  assert.ok(source.referencesSynced({ referencedSecrets: ['default/auth', 'default/missing'] }));
  assert.equal(source.referencesSynced({ referencedSecrets: ['default/unknown'] }), false);
  api.patch('Secret', 'default', 'auth', { data: { auth: Buffer.from('u:2').toString('base64') } }, 'merge');
  await waitFor(() => (store.get('Secret', 'default/auth') as { data?: Record<string, string> })?.data?.auth === Buffer.from('u:2').toString('base64'), { what: 'the update' });
  api.create(opaque('default', 'missing', { auth: 'late' }));
  await waitFor(() => store.get('Secret', 'default/missing'), { what: 'a referenced Secret created later' });
  await source.setReferenced({ referencedSecrets: ['default/missing'] });
  await waitFor(() => !store.get('Secret', 'default/auth'), { what: 'the unreferenced Secret dropped' });
  const watches = api.requests.filter((r) => r.verb === 'watch' && r.resource === 'secrets').map((r) => r.query.fieldSelector);
  assert.ok(watches.includes('metadata.name=auth'));
  assert.ok(!watches.some((f) => f?.includes('other')));
});

test('annotation-referenced ConfigMaps (auth-proxy-set-headers) are watched by name, in their namespace', async () => {
  const { api, store, source } = await setup();
  api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'auth-headers', namespace: 'shop' }, data: { 'X-Team': 'a' } } as never);
  api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unrelated', namespace: 'shop' }, data: {} } as never);
  source.start();
  await source.initialSync();
  assert.equal(store.get('ConfigMap', 'shop/auth-headers'), undefined, 'not listed before a compile names it');
  const refs = { referencedSecrets: [], referencedConfigMaps: ['shop/auth-headers'] };
  assert.equal(source.referencesSynced(refs), false);
  await source.setReferenced(refs);
  assert.ok(source.referencesSynced(refs));
  assert.ok(store.get('ConfigMap', 'shop/auth-headers'));
  assert.equal(store.get('ConfigMap', 'shop/unrelated'), undefined);
  api.patch('ConfigMap', 'shop', 'auth-headers', { data: { 'X-Team': 'b' } }, 'merge');
  await waitFor(() => (store.get('ConfigMap', 'shop/auth-headers') as { data?: Record<string, string> })?.data?.['X-Team'] === 'b', { what: 'the update' });
  await source.setReferenced({ referencedSecrets: [] });
  await waitFor(() => !store.get('ConfigMap', 'shop/auth-headers'), { what: 'the unreferenced ConfigMap dropped' });
  const watches = api.requests.filter((r) => r.verb === 'watch' && r.resource === 'configmaps').map((r) => `${r.namespace}:${r.query.fieldSelector}`);
  assert.ok(watches.includes('shop:metadata.name=auth-headers'), watches.join(' '));
});

test('a referenced Secret that is also a TLS Secret stays while either watch has it', async () => {
  const { api, store, source } = await setup();
  api.create(opaque('default', 'ca', { 'tls.crt': 'x', 'tls.key': 'y' }, 'kubernetes.io/tls'));
  source.start();
  await source.initialSync();
  await source.setReferenced({ referencedSecrets: ['default/ca'] });
  await source.setReferenced({ referencedSecrets: [] });
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(store.get('Secret', 'default/ca'), 'still held by the TLS watch');
  api.delete('Secret', 'default', 'ca');
  await waitFor(() => !store.get('Secret', 'default/ca'));
});

test('a status-only change does not change the store (no recompile), but the newest copy is kept', async () => {
  const { api, store, source } = await setup();
  api.create(ingress('default', 'web', [{ host: 'a.test', paths: [{ service: 'app' }] }]) as never);
  const events: string[] = [];
  source.onIngressEvent((k) => events.push(k));
  source.start();
  await source.initialSync();
  const version = store.version;
  const ing = api.get<Record<string, unknown>>('Ingress', 'default', 'web')!;
  api.updateStatus({ ...ing, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } });
  await waitFor(() => events.length === 2, { what: 'the status event' });
  assert.equal(store.version, version);
  assert.deepEqual((store.get('Ingress', 'default/web') as { status?: unknown }).status, { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } });
});

test('an exception while handling a watch event is not lost: the watch re-lists', async () => {
  const { api, store, source } = await setup();
  source.start();
  await source.initialSync();
  const upsert = store.upsert.bind(store);
  let failures = 1;
  store.upsert = (o) => {
    if (o.kind === 'Service' && failures-- > 0) throw new Error('injected');
    return upsert(o);
  };
  api.create(service('default', 'flaky') as never);
  await waitFor(() => store.get('Service', 'default/flaky'), { what: 'the Service after the re-list' });
  assert.equal(api.requests.filter((r) => r.verb === 'list' && r.resource === 'services').length, 2);
});
