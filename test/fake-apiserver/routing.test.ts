import assert from 'node:assert/strict';
import { test } from 'node:test';
import { route } from './routing.ts';

function describe(path: string): string {
  const r = route(path);
  if (r.type !== 'resource') return r.type;
  return [r.rt.plural, r.namespace ?? '-', r.name ?? '-', r.subresource ?? '-', r.legacyWatch ? 'legacy' : ''].join(' ').trim();
}

test('resource URL shapes', () => {
  assert.equal(describe('/api/v1/namespaces/default/services'), 'services default - -');
  assert.equal(describe('/api/v1/services'), 'services - - -');
  assert.equal(describe('/api/v1/namespaces/default/services/web/status'), 'services default web status');
  assert.equal(describe('/apis/networking.k8s.io/v1/namespaces/a/ingresses/web/status'), 'ingresses a web status');
  assert.equal(describe('/apis/networking.k8s.io/v1/ingressclasses/sluice'), 'ingressclasses - sluice -');
  assert.equal(describe('/apis/discovery.k8s.io/v1/endpointslices'), 'endpointslices - - -');
  assert.equal(describe('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/x'), 'leases kube-system x -');
  assert.equal(describe('/apis/events.k8s.io/v1/namespaces/a/events'), 'events a - -');
  assert.equal(describe('/api/v1/watch/namespaces/a/configmaps/c'), 'configmaps a c - legacy');
  assert.equal(describe('/api/v1/namespaces/my%2Dns/secrets'), 'secrets my-ns - -', 'segments are URL-decoded');
});

test('namespaces/{name}/status is the Namespace, not a namespaced resource', () => {
  assert.equal(describe('/api/v1/namespaces'), 'namespaces - - -');
  assert.equal(describe('/api/v1/namespaces/default'), 'namespaces - default -');
  assert.equal(describe('/api/v1/namespaces/default/status'), 'namespaces - default status');
});

test('what does not exist', () => {
  for (const p of [
    '/api/v2/services',
    '/apis/networking.k8s.io/v1beta1/ingresses',
    '/apis/apps/v1/deployments',
    '/api/v1/namespaces/a/nodes',
    '/api/v1/namespaces/a/configmaps/c/status',
    '/api/v1/namespaces/a/services/web/scale',
    '/api/v1/namespaces/a/services/web/status/extra',
    '/api/v1/watch/namespaces/a/services/web/status',
    '/metrics',
  ]) {
    assert.equal(route(p).type, 'unknown', p);
  }
});

test('discovery and non-resource paths', () => {
  assert.equal(route('/api').type, 'core-versions');
  assert.equal(route('/apis').type, 'groups');
  assert.deepEqual(route('/apis/networking.k8s.io'), { type: 'group', group: 'networking.k8s.io' });
  assert.deepEqual(route('/api/v1'), { type: 'resources', group: '', version: 'v1' });
  assert.deepEqual(route('/apis/events.k8s.io/v1'), { type: 'resources', group: 'events.k8s.io', version: 'v1' });
  assert.equal(route('/version').type, 'version');
  assert.equal(route('/healthz').type, 'health');
  assert.equal(route('/readyz').type, 'health');
});
