// The real @kubernetes/client-node typed clients against the fake: TLS and auth through
// the kubeconfig, CRUD, status subresources, selectors, pagination, leases and events.

import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  VersionApi,
  type V1Ingress,
  type V1Lease,
} from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { after, before, test } from 'node:test';
import { clientsFor, rejection } from './client-helpers.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import { startFakeApiServer, type FakeApiServer } from './server.ts';
import { makeServerPki } from './tls.ts';

let api: FakeApiServer;
let c: ReturnType<typeof clientsFor>;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

before(async () => {
  api = await startFakeApiServer();
  c = clientsFor(api);
});
after(() => api.close());

function ingress(name: string, host: string): V1Ingress {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      ingressClassName: 'sluice',
      rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }] } }],
    },
  };
}

test('TLS is verified against the kubeconfig CA and the bearer token is required', async () => {
  assert.match(api.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const ns = await c.core.listNamespace();
  assert.deepEqual(ns.items.map((n) => n.metadata?.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);

  const wrongToken = clientsFor(api, { token: 'not-the-token' });
  const denied = await rejection(wrongToken.core.listNamespace());
  assert.equal(denied.code, 401);

  const otherCa = (await makeServerPki()).caCert;
  const kc = new KubeConfig();
  kc.loadFromString(renderKubeconfig({ server: api.url, caCert: otherCa, token: api.token }));
  await assert.rejects(kc.makeApiClient(VersionApi).getCode(), (e: Error & { cause?: { code?: string } }) => {
    assert.match(String(e.cause?.code), /CERT|SIGNATURE|ISSUER/);
    return true;
  });
  assert.equal((await c.kc.makeApiClient(VersionApi).getCode()).major, '1');
});

test('listens on ::1 when asked (loopback only)', async () => {
  const v6 = await startFakeApiServer({ host: '::1' });
  try {
    assert.match(v6.url, /^https:\/\/\[::1\]:\d+$/);
    assert.equal((await clientsFor(v6).core.listNamespace()).items.length, 4);
  } finally {
    await v6.close();
  }
  await assert.rejects(startFakeApiServer({ host: '0.0.0.0' as '127.0.0.1' }), /loopback only/);
});

test('lists: an Exact read of a compacted resourceVersion is a 410, NotOlderThan is served', async () => {
  const ns = 'exact';
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
  await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'one' } } });
  const rv = (await c.core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
  await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'two' } } });
  const exact = await c.core.listNamespacedConfigMap({ namespace: ns, resourceVersion: rv, resourceVersionMatch: 'Exact' });
  assert.deepEqual(exact.items.map((i) => i.metadata?.name), ['one'], 'the state as of that version');
  api.faults.compact();
  const gone = await rejection(c.core.listNamespacedConfigMap({ namespace: ns, resourceVersion: rv, resourceVersionMatch: 'Exact' }));
  assert.equal(gone.code, 410);
  assert.equal(gone.status?.reason, 'Expired');
  const fresh = await c.core.listNamespacedConfigMap({ namespace: ns, resourceVersion: rv, resourceVersionMatch: 'NotOlderThan' });
  assert.equal(fresh.items.length, 2);
});

test('Services: create, read, replace with optimistic concurrency, merge patch, status, delete', async () => {
  const created = await c.core.createNamespacedService({
    namespace: 'default',
    body: { metadata: { name: 'web', labels: { app: 'web' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
  });
  assert.ok(created.metadata?.uid);
  assert.ok(created.metadata?.creationTimestamp instanceof Date, 'client-node turns timestamps into Dates');
  assert.equal(created.metadata?.generation, undefined, 'Services have no generation in a real cluster either');
  assert.ok((created.metadata?.managedFields?.length ?? 0) > 0, 'managedFields are populated');
  assert.equal(created.spec?.type, 'ClusterIP');
  assert.equal(created.spec?.ports?.[0].protocol, 'TCP');

  const read = await c.core.readNamespacedService({ namespace: 'default', name: 'web' });
  read.spec!.ports![0].port = 81;
  const replaced = await c.core.replaceNamespacedService({ namespace: 'default', name: 'web', body: read });
  assert.equal(replaced.spec?.ports?.[0].port, 81);
  assert.equal(replaced.spec?.clusterIP, created.spec?.clusterIP);
  const stale = await rejection(c.core.replaceNamespacedService({ namespace: 'default', name: 'web', body: read }));
  assert.equal(stale.code, 409);
  assert.equal(stale.status?.reason, 'Conflict');
  assert.match(String(stale.status?.message), /the object has been modified/);

  const patched = await c.core.patchNamespacedService({ namespace: 'default', name: 'web', body: { metadata: { annotations: { a: 'b' } } } }, merge);
  assert.equal(patched.metadata?.annotations?.a, 'b');

  const withStatus = await c.core.replaceNamespacedServiceStatus({
    namespace: 'default',
    name: 'web',
    body: { ...patched, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } },
  });
  assert.equal(withStatus.status?.loadBalancer?.ingress?.[0].ip, '192.0.2.1');
  assert.equal(withStatus.spec?.ports?.[0].port, 81);

  const deleted = await c.core.deleteNamespacedService({ namespace: 'default', name: 'web' });
  assert.equal(deleted.metadata?.name, 'web', 'Service delete answers with the object');
  assert.equal((await rejection(c.core.readNamespacedService({ namespace: 'default', name: 'web' }))).code, 404);

  // The real Service strategy allows create-on-update; Ingress does not.
  const put = await c.core.replaceNamespacedServiceWithHttpInfo({ namespace: 'default', name: 'web', body: { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } } });
  assert.equal(put.httpStatusCode, 201);
  assert.equal((await rejection(c.net.replaceNamespacedIngress({ namespace: 'default', name: 'nope', body: ingress('nope', 'x.example') }))).code, 404);
});

test('Ingress status: PUT and PATCH change status only; stale resourceVersion is a 409 Status', async () => {
  const ns = 'ing-status';
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
  const ing = await c.net.createNamespacedIngress({ namespace: ns, body: ingress('web', 'web.example') });
  assert.equal(ing.metadata?.generation, 1);

  const lb = { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } };
  const put = await c.net.replaceNamespacedIngressStatus({ namespace: ns, name: 'web', body: { ...ing, spec: { rules: [] }, status: lb } });
  assert.deepEqual(JSON.parse(JSON.stringify(put.status)), lb);
  assert.equal(put.spec?.rules?.[0].host, 'web.example', 'status PUT does not change spec');
  assert.equal(put.metadata?.generation, 1, 'status PUT does not bump generation');
  assert.notEqual(put.metadata?.resourceVersion, ing.metadata?.resourceVersion);

  const conflict = await rejection(c.net.replaceNamespacedIngressStatus({ namespace: ns, name: 'web', body: { ...ing, status: lb } }));
  assert.equal(conflict.code, 409);
  assert.deepEqual(
    { kind: conflict.status?.kind, status: conflict.status?.status, reason: conflict.status?.reason, details: conflict.status?.details },
    { kind: 'Status', status: 'Failure', reason: 'Conflict', details: { name: 'web', group: 'networking.k8s.io', kind: 'ingresses' } },
  );

  // client-node's default PATCH content type is JSON patch.
  const jp = await c.net.patchNamespacedIngressStatus({
    namespace: ns,
    name: 'web',
    body: [{ op: 'replace', path: '/status/loadBalancer/ingress/0/ip', value: '192.0.2.11' }],
  });
  assert.equal(jp.status?.loadBalancer?.ingress?.[0].ip, '192.0.2.11');
  assert.equal(jp.spec?.rules?.[0].host, 'web.example');
});

test('Ingress status PATCH carrying a stale resourceVersion conflicts', async () => {
  const ns = 'ing-status-2';
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
  const ing = await c.net.createNamespacedIngress({ namespace: ns, body: ingress('web', 'web.example') });
  await c.net.patchNamespacedIngressStatus({ namespace: ns, name: 'web', body: { status: { loadBalancer: { ingress: [{ hostname: 'lb.example' }] } } } }, merge);
  const stale = await rejection(
    c.net.patchNamespacedIngressStatus(
      { namespace: ns, name: 'web', body: { metadata: { resourceVersion: ing.metadata?.resourceVersion }, status: { loadBalancer: {} } } },
      merge,
    ),
  );
  assert.equal(stale.code, 409);
  const spec = await c.net.patchNamespacedIngress({ namespace: ns, name: 'web', body: { spec: { rules: [{ host: 'other.example' }] } } }, merge);
  assert.equal(spec.metadata?.generation, 2);
  assert.equal(spec.status?.loadBalancer?.ingress?.[0].hostname, 'lb.example', 'spec patch keeps status');
  assert.equal(api.count({ verb: 'patch', resource: 'ingresses', subresource: 'status' }), 3, 'counted whatever their outcome');
  assert.equal(api.requests.filter((r) => r.namespace === ns && r.subresource === 'status' && r.status === 409).length, 1);
});

test('IngressClass (cluster-scoped) and EndpointSlices by service-name label', async () => {
  await c.net.createIngressClass({ body: { metadata: { name: 'sluice' }, spec: { controller: 'example.com/sluice' } } });
  const classes = await c.net.listIngressClass();
  assert.equal(classes.items[0].spec?.controller, 'example.com/sluice');

  const ns = 'slices';
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
  for (const [name, svc, ip] of [['web-abc', 'web', '10.1.0.1'], ['web-def', 'web', '10.1.0.2'], ['api-xyz', 'api', '10.1.0.3']]) {
    await c.disc.createNamespacedEndpointSlice({
      namespace: ns,
      body: {
        metadata: { name, labels: { 'kubernetes.io/service-name': svc } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [ip], conditions: { ready: true } }],
        ports: [{ name: 'http', port: 8080 }],
      },
    });
  }
  const web = await c.disc.listNamespacedEndpointSlice({ namespace: ns, labelSelector: 'kubernetes.io/service-name=web' });
  assert.deepEqual(web.items.map((s) => s.metadata?.name), ['web-abc', 'web-def']);
  assert.equal(web.items[0].ports?.[0].protocol, 'TCP');
  assert.equal(web.kind, 'EndpointSliceList');
});

test('Secrets: fieldSelector type=kubernetes.io/tls across namespaces, label selectors', async () => {
  for (const ns of ['sec-a', 'sec-b']) {
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
    await c.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'tls', labels: { tier: 'edge' } }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'c', 'tls.key': 'k' } },
    });
    await c.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'plain', labels: { tier: 'app' } }, data: { x: 'eQ==' } } });
  }
  const tls = await c.core.listSecretForAllNamespaces({ fieldSelector: 'type=kubernetes.io/tls' });
  assert.deepEqual(tls.items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`), ['sec-a/tls', 'sec-b/tls']);
  assert.equal(tls.items[0].data?.['tls.crt'], Buffer.from('c').toString('base64'));
  const notTls = await c.core.listNamespacedSecret({ namespace: 'sec-a', fieldSelector: 'type!=kubernetes.io/tls' });
  assert.deepEqual(notTls.items.map((s) => s.metadata?.name), ['plain']);
  const edge = await c.core.listSecretForAllNamespaces({ labelSelector: 'tier in (edge),tier notin (app)' });
  assert.equal(edge.items.length, 2);
  const named = await c.core.listNamespacedSecret({ namespace: 'sec-b', fieldSelector: 'metadata.name=plain' });
  assert.equal(named.items.length, 1);
  const bad = await rejection(c.core.listNamespacedSecret({ namespace: 'sec-a', fieldSelector: 'data.x=y' }));
  assert.equal(bad.code, 400);
});

test('ConfigMaps: limit/continue pagination keeps one snapshot', async () => {
  const ns = 'pages';
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
  for (let i = 0; i < 5; i++) await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `cm-${i}` }, data: { i: String(i) } } });
  const names: string[] = [];
  let token: string | undefined;
  let pages = 0;
  const first = await c.core.listNamespacedConfigMap({ namespace: ns, limit: 2 });
  assert.equal(first.metadata?.remainingItemCount, 3);
  names.push(...first.items.map((i) => i.metadata!.name!));
  token = first.metadata?._continue;
  await c.core.deleteNamespacedConfigMap({ namespace: ns, name: 'cm-4' }); // not visible to the running pagination
  while (token && pages++ < 10) {
    const page = await c.core.listNamespacedConfigMap({ namespace: ns, limit: 2, _continue: token });
    assert.equal(page.metadata?.resourceVersion, first.metadata?.resourceVersion);
    names.push(...page.items.map((i) => i.metadata!.name!));
    token = page.metadata?._continue;
  }
  assert.deepEqual(names, ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4']);
});

test('Leases: create conflicts, replace needs the current resourceVersion (leader election)', async () => {
  const ns = 'kube-system';
  // MicroTime fields need V1MicroTime (six fractional digits); see the next test.
  const lease: V1Lease = {
    metadata: { name: 'sluice-leader' },
    spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15, acquireTime: new V1MicroTime(), renewTime: new V1MicroTime(), leaseTransitions: 0 },
  };
  const a = await c.coord.createNamespacedLease({ namespace: ns, body: lease });
  assert.equal((await rejection(c.coord.createNamespacedLease({ namespace: ns, body: lease }))).status?.reason, 'AlreadyExists');

  // Two candidates read the same version; only the first write wins.
  const b = await c.coord.readNamespacedLease({ namespace: ns, name: 'sluice-leader' });
  a.spec!.renewTime = new V1MicroTime();
  const renewed = await c.coord.replaceNamespacedLease({ namespace: ns, name: 'sluice-leader', body: a });
  b.spec!.holderIdentity = 'pod-b';
  b.spec!.leaseTransitions = 1;
  const lost = await rejection(c.coord.replaceNamespacedLease({ namespace: ns, name: 'sluice-leader', body: b }));
  assert.equal(lost.code, 409);
  const current = await c.coord.readNamespacedLease({ namespace: ns, name: 'sluice-leader' });
  assert.equal(current.spec?.holderIdentity, 'pod-a');
  assert.equal(current.metadata?.resourceVersion, renewed.metadata?.resourceVersion);
  // Typed as V1MicroTime, but client-node leaves MicroTime fields as strings when reading.
  assert.equal(typeof current.spec?.renewTime, 'string');
  assert.match(String(current.spec?.renewTime), /\.\d{6}Z$/);
});

test('Leases: a plain Date in a MicroTime field is rejected like the real API does', async () => {
  const bad = await rejection(
    c.coord.createNamespacedLease({ namespace: 'default', body: { metadata: { name: 'plain-date' }, spec: { holderIdentity: 'x', renewTime: new Date() } } }),
  );
  assert.equal(bad.code, 400);
  assert.match(String(bad.status?.message), /2006-01-02T15:04:05\.000000Z07:00/);
});

test('Events: core/v1 create + patch and events.k8s.io/v1 create, listed through both APIs', async () => {
  const ns = 'evt';
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
  const core = await c.core.createNamespacedEvent({
    namespace: ns,
    body: {
      metadata: { name: 'web.1' },
      involvedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web', namespace: ns },
      reason: 'Sync',
      message: 'Scheduled for sync',
      type: 'Normal',
      count: 1,
      source: { component: 'sluice' },
    },
  });
  assert.equal(core.count, 1);
  const bumped = await c.core.patchNamespacedEvent({ namespace: ns, name: 'web.1', body: { count: 2 } }, merge);
  assert.equal(bumped.count, 2);

  await c.events.createNamespacedEvent({
    namespace: ns,
    body: {
      metadata: { name: 'web.2' },
      eventTime: new V1MicroTime(),
      reportingController: 'example.com/sluice',
      reportingInstance: 'sluice-0',
      action: 'Sync',
      reason: 'Sync',
      note: 'Synced',
      type: 'Normal',
      regarding: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web', namespace: ns },
    },
  });
  const viaCore = await c.core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=web' });
  assert.deepEqual(viaCore.items.map((e) => [e.metadata?.name, e.message]), [['web.1', 'Scheduled for sync'], ['web.2', 'Synced']]);
  const viaV1 = await c.events.listNamespacedEvent({ namespace: ns, fieldSelector: 'reason=Sync' });
  assert.deepEqual(viaV1.items.map((e) => [e.metadata?.name, e.note, e.regarding?.kind]), [['web.1', 'Scheduled for sync', 'Ingress'], ['web.2', 'Synced', 'Ingress']]);
  assert.equal(viaV1.items[0].deprecatedCount, 2);
});

test('Nodes carry status.addresses; namespaced URLs for cluster types are 404', async () => {
  api.create({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
    status: { addresses: [{ type: 'InternalIP', address: '192.0.2.100' }, { type: 'Hostname', address: 'node-1' }] },
  });
  const nodes = await c.core.listNode();
  assert.equal(nodes.items[0].status?.addresses?.[0].address, '192.0.2.100');
  const raw = await fetchRaw(`/api/v1/namespaces/default/nodes`);
  assert.equal(raw.status, 404);
});

test('discovery lets the generic KubernetesObjectApi resolve kinds', async () => {
  const generic = KubernetesObjectApi.makeApiClient(c.kc);
  const created = await generic.create({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'generic', namespace: 'default' }, spec: {} });
  assert.equal(created.metadata?.name, 'generic');
  const read = await generic.read({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'generic', namespace: 'default' } });
  assert.equal((read.metadata as { uid?: string }).uid, (created.metadata as { uid?: string }).uid);
  const list = await generic.list('v1', 'Namespace');
  assert.ok(list.items.length >= 4);
  const core = (await (await fetchRaw('/api')).json()) as { versions: string[] };
  assert.deepEqual(core.versions, ['v1']);
  const groups = (await (await fetchRaw('/apis')).json()) as { groups: { name: string }[] };
  assert.deepEqual(groups.groups.map((g) => g.name).sort(), ['coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io', 'networking.k8s.io']);
  const net = (await (await fetchRaw('/apis/networking.k8s.io/v1')).json()) as { resources: { name: string }[] };
  assert.deepEqual(net.resources.map((r) => r.name), ['ingresses', 'ingresses/status', 'ingressclasses']);
});

/** A plain HTTPS request with the token, for protocol details the typed clients hide. */
function fetchRaw(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; text: string; json: () => Promise<unknown> }>((resolve, reject) => {
    const req = request(
      `${api.url}${path}`,
      { method: init.method ?? 'GET', ca: api.caCert, agent: false, headers: { authorization: `Bearer ${api.token}`, ...init.headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: async () => JSON.parse(text) as unknown }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

test('wire details: list items lack kind/apiVersion, errors are Status JSON, media types are checked', async () => {
  api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'wire', namespace: 'default' } });
  const list = await fetchRaw('/api/v1/namespaces/default/configmaps');
  assert.equal(list.headers['content-type'], 'application/json');
  const body = (await list.json()) as { kind: string; apiVersion: string; metadata: { resourceVersion: string }; items: Record<string, unknown>[] };
  assert.equal(body.kind, 'ConfigMapList');
  assert.equal(body.apiVersion, 'v1');
  assert.equal(body.metadata.resourceVersion, api.resourceVersion);
  assert.equal(body.items[0].kind, undefined);
  assert.equal(body.items[0].apiVersion, undefined);
  const one = (await (await fetchRaw('/api/v1/namespaces/default/configmaps/wire')).json()) as Record<string, unknown>;
  assert.equal(one.kind, 'ConfigMap');

  const missing = await fetchRaw('/apis/networking.k8s.io/v1/foos');
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'the server could not find the requested resource',
    reason: 'NotFound',
    details: {},
    code: 404,
  });
  const ssa = await fetchRaw('/api/v1/namespaces/default/configmaps/wire', {
    method: 'PATCH',
    headers: { 'content-type': 'application/apply-patch+yaml' },
    body: 'data: {}',
  });
  assert.equal(ssa.status, 415);
  const post = await fetchRaw('/api/v1/namespaces/default/configmaps/wire', { method: 'POST', body: '{}' });
  assert.equal(post.status, 405);
  const proto = await fetchRaw('/api/v1/namespaces/default/configmaps', { headers: { accept: 'application/vnd.kubernetes.protobuf' } });
  assert.equal(proto.status, 406);
  const yaml = await fetchRaw('/api/v1/namespaces/default/configmaps', {
    method: 'POST',
    headers: { 'content-type': 'application/yaml' },
    body: 'metadata:\n  name: from-yaml\ndata:\n  k: v\n',
  });
  assert.equal(yaml.status, 201);
  const version = await fetchRaw('/version', { headers: { authorization: '' } });
  assert.equal(version.status, 200, '/version needs no credentials');
});
