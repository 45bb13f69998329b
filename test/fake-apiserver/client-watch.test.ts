// client-node's Watch class against the fake: resume from a resourceVersion, initial state,
// bookmarks, timeouts, selector transitions, and 410 after compaction.

import { Watch, type KubeConfig } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { clientsFor } from './client-helpers.ts';
import { startFakeApiServer, type FakeApiServer, type FakeApiServerOptions } from './server.ts';
import { waitFor } from './wait.ts';

interface Seen {
  type: string;
  name?: string;
  rv?: string;
  object: Record<string, any>;
}

const servers: FakeApiServer[] = [];
const aborts: AbortController[] = [];

afterEach(async () => {
  for (const a of aborts.splice(0)) a.abort();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(opts: FakeApiServerOptions = {}) {
  const api = await startFakeApiServer(opts);
  servers.push(api);
  return { api, ...clientsFor(api) };
}

/** Opens a watch and collects its events until it ends (or the test ends). */
async function watch(kc: KubeConfig, path: string, query: Record<string, string | number | boolean | undefined>) {
  const seen: Seen[] = [];
  let resolveDone!: (err: unknown) => void;
  const done = new Promise<unknown>((r) => (resolveDone = r));
  const ctl = await new Watch(kc).watch(
    path,
    query,
    (type, object) => seen.push({ type, name: object?.metadata?.name, rv: object?.metadata?.resourceVersion, object }),
    (err) => resolveDone(err ?? null),
  );
  aborts.push(ctl);
  return { seen, done, ctl };
}

function cm(name: string, ns = 'default', labels?: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data: { v: '1' } };
}

test('list, then watch from the list resourceVersion: every later change, in order', async () => {
  const { api, core, kc } = await server();
  api.create(cm('before'));
  const list = await core.listNamespacedConfigMap({ namespace: 'default' });
  const w = await watch(kc, '/api/v1/namespaces/default/configmaps', { resourceVersion: list.metadata?.resourceVersion });
  await waitFor(() => api.openWatches({ resource: 'configmaps' }) === 1);
  api.create(cm('a'));
  api.patch('ConfigMap', 'default', 'a', { data: { v: '2' } });
  api.delete('ConfigMap', 'default', 'a');
  await waitFor(() => w.seen.length === 3);
  assert.deepEqual(w.seen.map((e) => `${e.type} ${e.name}`), ['ADDED a', 'MODIFIED a', 'DELETED a']);
  const rvs = w.seen.map((e) => Number(e.rv));
  assert.ok(rvs[0] < rvs[1] && rvs[1] < rvs[2], 'resourceVersions increase');
  assert.equal(String(rvs[2]), api.resourceVersion, 'DELETED carries the deletion resourceVersion');
  assert.equal(w.seen[0].object.kind, 'ConfigMap', 'watch objects carry kind/apiVersion');
  assert.equal(api.count({ verb: 'watch', resource: 'configmaps' }), 1);
});

test('watch without resourceVersion (or "0") starts with the current state as ADDED', async () => {
  const { api, kc } = await server();
  api.create(cm('x'));
  api.create(cm('y'));
  api.create(cm('elsewhere', 'kube-system'));
  for (const rv of [undefined, '0']) {
    const w = await watch(kc, '/api/v1/namespaces/default/configmaps', { resourceVersion: rv });
    await waitFor(() => w.seen.length === 2);
    assert.deepEqual(w.seen.map((e) => `${e.type} ${e.name}`), ['ADDED x', 'ADDED y']);
  }
  const all = await watch(kc, '/api/v1/configmaps', {});
  await waitFor(() => all.seen.length === 3, { what: 'all-namespaces watch' });
});

test('bookmarks: only when allowed, with nothing but metadata.resourceVersion', async () => {
  const { api, kc } = await server({ bookmarkIntervalMs: 50 });
  const plain = await watch(kc, '/apis/networking.k8s.io/v1/ingresses', { resourceVersion: api.resourceVersion });
  const marked = await watch(kc, '/apis/networking.k8s.io/v1/ingresses', { resourceVersion: api.resourceVersion, allowWatchBookmarks: true });
  await waitFor(() => marked.seen.filter((e) => e.type === 'BOOKMARK').length >= 2);
  const bm = marked.seen.find((e) => e.type === 'BOOKMARK')!;
  assert.deepEqual(bm.object, { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', metadata: { resourceVersion: api.resourceVersion } });
  api.create(cm('unrelated'));
  await waitFor(() => marked.seen.some((e) => e.type === 'BOOKMARK' && e.rv === api.resourceVersion), { what: 'bookmark at the new RV' });
  assert.equal(plain.seen.length, 0);
});

test('timeoutSeconds ends the stream cleanly', async () => {
  const { api, kc } = await server();
  const started = Date.now();
  const w = await watch(kc, '/api/v1/namespaces/default/services', { timeoutSeconds: 1, resourceVersion: api.resourceVersion });
  const err = await w.done;
  const took = Date.now() - started;
  assert.equal(err, null, 'a clean end, not an error');
  assert.ok(took >= 900 && took < 3000, `ended after ${took} ms`);
  await waitFor(() => api.openWatches() === 0);
});

test('watches without timeoutSeconds end cleanly after the server-side watch timeout', async () => {
  const { api, kc } = await server({ watchTimeoutMs: 300 });
  const w = await watch(kc, '/api/v1/services', { resourceVersion: api.resourceVersion });
  const t0 = Date.now();
  assert.equal(await w.done, null);
  assert.ok(Date.now() - t0 < 2000);
});

test('selectors: entering the selection is ADDED, leaving it is DELETED with the previous content', async () => {
  const { api, kc } = await server();
  const w = await watch(kc, '/api/v1/namespaces/default/configmaps', { resourceVersion: api.resourceVersion, labelSelector: 'app=web' });
  const byName = await watch(kc, '/api/v1/namespaces/default/configmaps', { resourceVersion: api.resourceVersion, fieldSelector: 'metadata.name=b' });
  await waitFor(() => api.openWatches() === 2);
  api.create(cm('a')); // not selected
  api.patch('ConfigMap', 'default', 'a', { metadata: { labels: { app: 'web' } } }); // enters
  api.patch('ConfigMap', 'default', 'a', { data: { v: '2' } }); // stays
  api.patch('ConfigMap', 'default', 'a', { metadata: { labels: { app: 'api' } }, data: { v: '3' } }); // leaves
  const leftAt = api.resourceVersion;
  api.delete('ConfigMap', 'default', 'a'); // already gone for this watcher
  api.create(cm('b', 'default', { app: 'web' }));
  await waitFor(() => w.seen.length === 4 && byName.seen.length === 1);
  assert.deepEqual(w.seen.map((e) => `${e.type} ${e.name}`), ['ADDED a', 'MODIFIED a', 'DELETED a', 'ADDED b']);
  const left = w.seen[2].object;
  assert.equal(left.metadata.labels.app, 'web', 'DELETED shows the last content the watcher could see');
  assert.equal(left.data.v, '2');
  assert.equal(left.metadata.resourceVersion, leftAt, '…stamped with the change that removed it');
  assert.deepEqual(byName.seen.map((e) => `${e.type} ${e.name}`), ['ADDED b']);
});

test('a resourceVersion older than the compaction window gets an ERROR event with a 410 Status', async () => {
  const { api, kc } = await server({ compactionWindow: 3 });
  const old = api.resourceVersion;
  for (let i = 0; i < 4; i++) api.create(cm(`c${i}`));
  const w = await watch(kc, '/api/v1/namespaces/default/configmaps', { resourceVersion: old });
  assert.equal(await w.done, null, 'the stream ends after the error');
  assert.equal(w.seen.length, 1);
  assert.equal(w.seen[0].type, 'ERROR');
  assert.deepEqual(
    { kind: w.seen[0].object.kind, code: w.seen[0].object.code, reason: w.seen[0].object.reason, status: w.seen[0].object.status },
    { kind: 'Status', code: 410, reason: 'Expired', status: 'Failure' },
  );
  assert.match(w.seen[0].object.message, /^too old resource version: \d+ \(\d+\)$/);

  // Within the window it still resumes.
  const recent = String(Number(api.resourceVersion) - 3);
  const ok = await watch(kc, '/api/v1/namespaces/default/configmaps', { resourceVersion: recent });
  await waitFor(() => ok.seen.length === 3);
  assert.ok(ok.seen.every((e) => e.type === 'ADDED'));
});

test('faults.compact() makes every older resourceVersion expire', async () => {
  const { api, kc } = await server();
  const before = api.resourceVersion;
  api.create(cm('x'));
  assert.equal(api.faults.compact(), Number(api.resourceVersion));
  const old = await watch(kc, '/api/v1/namespaces/default/configmaps', { resourceVersion: before });
  await old.done;
  assert.equal(old.seen[0]?.object.code, 410);
  const current = await watch(kc, '/api/v1/namespaces/default/configmaps', { resourceVersion: api.resourceVersion });
  await waitFor(() => api.openWatches() === 1);
  api.create(cm('y'));
  await waitFor(() => current.seen.length === 1, { what: 'watch from the compacted RV still works' });
});

test('sendInitialEvents streams the state, then a bookmark marking its end', async () => {
  const { api, kc } = await server();
  api.create(cm('one'));
  api.create(cm('two'));
  const rv = api.resourceVersion;
  const w = await watch(kc, '/api/v1/namespaces/default/configmaps', {
    sendInitialEvents: true,
    resourceVersionMatch: 'NotOlderThan',
    allowWatchBookmarks: true,
  });
  await waitFor(() => w.seen.length === 3);
  assert.deepEqual(w.seen.map((e) => e.type), ['ADDED', 'ADDED', 'BOOKMARK']);
  assert.deepEqual(w.seen[2].object.metadata, { resourceVersion: rv, annotations: { 'k8s.io/initial-events-end': 'true' } });
});

test('legacy /watch/ paths, named-object watches and the events.k8s.io view of core Events', async () => {
  const { api, kc } = await server();
  const legacy = await watch(kc, '/api/v1/watch/namespaces/default/configmaps', { resourceVersion: api.resourceVersion });
  const named = await watch(kc, '/api/v1/namespaces/default/configmaps/target', { resourceVersion: api.resourceVersion });
  const events = await watch(kc, '/apis/events.k8s.io/v1/namespaces/default/events', { resourceVersion: api.resourceVersion });
  await waitFor(() => api.openWatches() === 3);
  api.create(cm('other'));
  api.create(cm('target'));
  api.create({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' }, message: 'hello', involvedObject: { kind: 'Pod', name: 'p' } });
  await waitFor(() => legacy.seen.length === 2 && named.seen.length === 1 && events.seen.length === 1);
  assert.deepEqual(named.seen.map((e) => e.name), ['target']);
  assert.equal(events.seen[0].object.apiVersion, 'events.k8s.io/v1');
  assert.equal(events.seen[0].object.note, 'hello');
  assert.deepEqual(events.seen[0].object.regarding, { kind: 'Pod', name: 'p' });
});

test('a resourceVersion from the future is an ERROR event (504); a malformed one a 400', async () => {
  const { api, kc } = await server();
  const w = await watch(kc, '/api/v1/configmaps', { resourceVersion: String(Number(api.resourceVersion) + 100) });
  await w.done;
  assert.equal(w.seen[0].object.code, 504);
  assert.equal(w.seen[0].object.details.causes[0].reason, 'ResourceVersionTooLarge');
  const bad = await watch(kc, '/api/v1/configmaps', { resourceVersion: 'abc' });
  assert.equal(((await bad.done) as { statusCode?: number }).statusCode, 400, 'a malformed one is refused before the stream opens');
});
