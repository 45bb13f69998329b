// EventRecorder against the fake API server: one Event per problem, series updates for
// recurrences (at most once per interval), leader only.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { startFakeApiServer, waitFor } from '../../test/fake-apiserver/index.ts';
import type { CompileResult } from '../compile/compile.ts';
import type { Diagnostic } from '../compile/diagnostics.ts';
import { createLogger } from '../log/logger.ts';
import type { Ingress } from '../model/k8s.ts';
import { ClientNodeApi, loadKubeConfig } from '../sources/kubernetes/api-client.ts';
import { Store } from '../store/store.ts';
import { EventRecorder } from './events.ts';

const log = createLogger('silent');
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const ING: Ingress = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'shop', uid: 'u-1', generation: 3, resourceVersion: '7' }, spec: {} };
const PROBLEM: Diagnostic = { object: { kind: 'Ingress', namespace: 'shop', name: 'web' }, severity: 'error', reason: 'ServiceNotFound', field: 'spec.rules[0].http.paths[0].backend.service', message: 'Service shop/api not found; requests for this path get 503' };

function result(diagnostics: Diagnostic[]): CompileResult {
  return {
    table: {} as CompileResult['table'],
    diagnostics,
    ingresses: [{ key: 'shop/web', ref: { kind: 'Ingress', namespace: 'shop', name: 'web' }, ours: true, class: 'x', generation: 3, hosts: ['shop.test'], routes: 1, errors: diagnostics.length, warnings: 0 }],
    referencedSecrets: [],
    referencedConfigMaps: [],
  };
}

async function setup() {
  const api = await startFakeApiServer();
  cleanups.push(() => api.close());
  api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  const store = new Store();
  store.upsert(ING);
  const rec = new EventRecorder(new ClientNodeApi(loadKubeConfig(await api.writeKubeconfig())), store, { reportingController: 'sluice.dev/ingress-controller', reportingInstance: 'pod-a', seriesIntervalMs: 200 }, log);
  cleanups.push(() => rec.stop());
  const events = () => api.list<{ reason: string; type: string; note: string; series?: { count: number }; regarding: { uid: string } }>({ apiVersion: 'events.k8s.io/v1', kind: 'Event' }, 'shop');
  return { api, rec, events };
}

test('followers emit nothing; the leader emits Sync and each problem once', async () => {
  const { api, rec, events } = await setup();
  rec.onCompiled(result([PROBLEM]), true);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(events().length, 0, 'not the leader');
  rec.setLeader(true);
  await waitFor(() => events().length === 2, { what: 'Sync and ServiceNotFound' });
  const warn = events().find((e) => e.reason === 'ServiceNotFound')!;
  assert.equal(warn.type, 'Warning');
  assert.equal(warn.regarding.uid, 'u-1');
  assert.match(warn.note, /^spec\.rules\[0\]\.http\.paths\[0\]\.backend\.service: Service shop\/api not found/);
  for (let i = 0; i < 5; i++) rec.onCompiled(result([PROBLEM]), true);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(api.count({ verb: ['create', 'patch'], resource: 'events' }), 2, 'the same problem in later compiles: nothing written');
  rec.onCompiled(result([PROBLEM]), false);
  assert.equal(events().length, 2, 'unsettled compiles are ignored');
});

test('a problem that comes back updates the series count, at most once per interval', async () => {
  const { api, rec, events } = await setup();
  rec.setLeader(true);
  rec.onCompiled(result([PROBLEM]), true);
  await waitFor(() => events().length === 2);
  // Gone, back, gone, back within the interval: counted, written once the interval has passed.
  rec.onCompiled(result([]), true);
  rec.onCompiled(result([PROBLEM]), true);
  rec.onCompiled(result([]), true);
  rec.onCompiled(result([PROBLEM]), true);
  await waitFor(() => events().find((e) => e.reason === 'ServiceNotFound')?.series?.count === 3, { timeoutMs: 3000, what: 'series count 3' });
  assert.equal(events().length, 2, 'no new Event objects');
  assert.ok(api.count({ verb: 'patch', resource: 'events' }) <= 2);
});
