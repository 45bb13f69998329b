// client-node's informer (makeInformer / ListWatch) against the fake: callbacks, re-list on
// 410, and what it does when watches are dropped, ended, or go quiet.

import { ListWatch, makeInformer, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { clientsFor } from './client-helpers.ts';
import { startFakeApiServer, type FakeApiServer, type FakeApiServerOptions } from './server.ts';
import { waitFor } from './wait.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: FakeApiServerOptions = {}, labelSelector?: string) {
  const api = await startFakeApiServer(opts);
  cleanups.push(() => api.close());
  const clients = clientsFor(api);
  const list = () => clients.core.listNamespacedConfigMap({ namespace: 'default', labelSelector });
  const informer = makeInformer<V1ConfigMap>(clients.kc, '/api/v1/namespaces/default/configmaps', list, labelSelector);
  cleanups.push(() => informer.stop());
  const log: string[] = [];
  const errors: any[] = [];
  informer.on('add', (o) => log.push(`add ${o.metadata?.name}`));
  informer.on('update', (o) => log.push(`update ${o.metadata?.name}`));
  informer.on('delete', (o) => log.push(`delete ${o.metadata?.name}`));
  informer.on('error', (e) => errors.push(e));
  return { api, informer, log, errors, ...clients };
}

function cm(name: string, labels?: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels }, data: { v: '1' } };
}

const watching = (api: FakeApiServer) => waitFor(() => api.openWatches({ resource: 'configmaps' }) === 1, { what: 'an open watch' });

test('informer: initial list as adds, then live add/update/delete; no-op writes are silent', async () => {
  const { api, informer, log } = await setup();
  api.create(cm('existing'));
  await informer.start();
  assert.deepEqual(log, ['add existing']);
  await watching(api);
  api.create(cm('new'));
  api.patch('ConfigMap', 'default', 'new', { data: { v: '2' } });
  api.patch('ConfigMap', 'default', 'new', { data: { v: '2' } }); // no-op: no event
  api.delete('ConfigMap', 'default', 'existing');
  await waitFor(() => log.length === 4);
  assert.deepEqual(log, ['add existing', 'add new', 'update new', 'delete existing']);
  assert.equal(informer.get('new', 'default')?.data?.v, '2');
  assert.equal(api.count({ verb: 'list', resource: 'configmaps' }), 1);
  const w = api.requests.find((r) => r.verb === 'watch')!;
  assert.equal(w.query.watch, 'true');
  assert.equal(w.query.allowWatchBookmarks, undefined, 'ListWatch never asks for bookmarks');
});

test('informer with a label selector: leaving the selection is a delete', async () => {
  const { api, informer, log } = await setup({}, 'app=web');
  api.create(cm('a', { app: 'web' }));
  api.create(cm('b', { app: 'api' }));
  await informer.start();
  await watching(api);
  api.patch('ConfigMap', 'default', 'b', { metadata: { labels: { app: 'web' } } });
  api.patch('ConfigMap', 'default', 'a', { metadata: { labels: { app: 'api' } } });
  await waitFor(() => log.length === 3);
  assert.deepEqual(log, ['add a', 'add b', 'delete a']);
  assert.equal(api.requests.find((r) => r.verb === 'watch')?.query.labelSelector, 'app=web');
});

test('informer: a 410 on reconnect (history compacted meanwhile) triggers a re-list', async () => {
  const { api, informer, log, errors } = await setup();
  api.create(cm('a'));
  await informer.start();
  await watching(api);
  // The reconnect after this clean end is held while the store moves on and compacts.
  api.faults.stall(300, { verb: 'watch' });
  assert.equal(api.faults.endWatches(), 1);
  await waitFor(() => api.requests.filter((r) => r.verb === 'watch').length === 2);
  api.create(cm('b'));
  api.delete('ConfigMap', 'default', 'a');
  api.faults.compact();
  await waitFor(() => log.length === 3, { what: 're-list callbacks' });
  // ListWatch reports the re-list diff deletions first, then additions.
  assert.deepEqual(log, ['add a', 'delete a', 'add b'], 'the re-list diff reports what was missed');
  assert.equal(api.count({ verb: 'list', resource: 'configmaps' }), 2);
  assert.deepEqual(errors, [], '410 is handled inside the informer, not reported as an error');
  await waitFor(() => api.openWatches() === 1, { timeoutMs: 4000, what: 'watching again after the re-list' });
  api.create(cm('c'));
  await waitFor(() => log.includes('add c'));
});

test('informer: endWatches (server-side timeout) reconnects from the last resourceVersion, no re-list', async () => {
  const { api, informer, log, errors } = await setup();
  await informer.start();
  await watching(api);
  const rvBefore = (informer as ListWatch<V1ConfigMap>).latestResourceVersion();
  api.faults.endWatches();
  await waitFor(() => api.count({ verb: 'watch' }) === 2 && api.openWatches() === 1);
  assert.equal(api.requests.filter((r) => r.verb === 'watch')[1].query.resourceVersion, rvBefore);
  api.create(cm('after'));
  await waitFor(() => log.includes('add after'));
  assert.equal(api.count({ verb: 'list' }), 1);
  assert.deepEqual(errors, []);
});

test('informer: dropWatches surfaces an error and STOPS the informer; restarting resumes without a re-list', async () => {
  const { api, informer, log, errors } = await setup();
  api.create(cm('a'));
  await informer.start();
  await watching(api);
  assert.equal(api.faults.dropWatches(), 1);
  await waitFor(() => errors.length === 1);
  assert.equal(errors[0].cause?.code, 'UND_ERR_SOCKET', 'undici reports the cut stream');
  api.create(cm('while-stopped'));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(api.count({ verb: 'watch' }), 1, 'no automatic reconnect after an error');
  assert.deepEqual(log, ['add a']);
  await informer.start(); // what a controller's on('error') handler has to do
  await waitFor(() => log.includes('add while-stopped'));
  assert.equal(api.count({ verb: 'list' }), 1, 'resumed from its resourceVersion: no re-list');
});

test('informer: a failing list is reported as an error and stops the informer', async () => {
  const { api, informer, errors, log } = await setup();
  api.create(cm('a'));
  api.faults.failNext(1, 503, { verb: 'list' });
  await informer.start();
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 503);
  assert.equal(api.count({ verb: 'watch' }), 0);
  await informer.start();
  assert.deepEqual(log, ['add a']);
});

test('ListWatch: a quiet watch hits the client inactivity timeout and reconnects from its RV', async () => {
  const api = await startFakeApiServer();
  cleanups.push(() => api.close());
  const { kc, core } = clientsFor(api);
  const watch = new Watch(kc);
  // 30 s by default (private in the typings, public at run time): quiet resources reconnect every 30 s.
  (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = 300;
  const lw = new ListWatch<V1ConfigMap>('/api/v1/namespaces/default/configmaps', watch, () => core.listNamespacedConfigMap({ namespace: 'default' }), false);
  cleanups.push(() => lw.stop());
  const errors: unknown[] = [];
  lw.on('error', (e) => errors.push(e));
  await lw.start();
  await waitFor(() => api.count({ verb: 'watch' }) >= 3, { timeoutMs: 3000, what: 'two timeout reconnects' });
  assert.deepEqual(errors, []);
  assert.equal(api.count({ verb: 'list' }), 1);
});
