// Cluster mode, routing: the initial sync, and add/update/delete of every kind reaching the data
// plane (real requests through the proxy to real backends whose EndpointSlices point at
// 127.0.0.1 ports). Runs against the fake API server or a real cluster (see ../harness.ts).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackend, type Backend } from '../../helpers/backend.ts';
import { configMap, ingress, service, slice, type RuleSpec } from '../../helpers/objects.ts';
import type { Sluice } from '../../helpers/sluice.ts';
import { metric, startClusterSluice, type ClusterUnderTest } from '../harness.ts';
import { eventually, hit, route } from '../util.ts';

export function defineRoutingSuite(make: () => Promise<ClusterUnderTest>, opts: { workers?: number } = {}): void {
  describe(`cluster mode: sync and changes (--workers ${opts.workers ?? 1})`, () => {
    let c: ClusterUnderTest;
    let s: Sluice;
    let a: Backend;
    let b: Backend;
    let ns: string;
    const svc = (name: string, port = 80): object => service(ns, name, [{ name: 'http', port, targetPort: 'http' }]);
    const ep = (svcName: string, be: Backend, name = `${svcName}-0`): object => slice(ns, svcName, 'http', be.port, [{ ip: '127.0.0.1', pod: `${svcName}-pod` }], name);
    const ing = (name: string, rules: RuleSpec[], o: Parameters<typeof ingress>[3] = {}): object => ingress(ns, name, rules, { className: c.ingressClass, ...o });

    before(async () => {
      c = await make();
      ns = c.namespace;
      a = await startBackend('a');
      b = await startBackend('b');
      // Present before sluice starts: the initial sync must pick these up.
      for (const o of [svc('app-a'), ep('app-a', a), svc('app-b'), ep('app-b', b), ing('initial', [{ host: 'initial.test', paths: [{ path: '/', service: 'app-a' }] }])]) await c.apply(o);
      s = await startClusterSluice(c, { workers: opts.workers, args: ['--configmap', `${ns}/sluice-config`] });
    });

    after(async () => {
      await s?.stop();
      await a?.close();
      await b?.close();
      await c?.close();
    });

    test('initial sync: served as soon as ready', async () => {
      assert.equal((await s.admin('/healthz')).status, 200);
      const r = await hit(s.httpPort, 'initial.test');
      assert.equal(r.status, 200);
      assert.equal(r.backend, 'a');
      assert.ok(s.logs.some((l) => l.msg === 'cluster mode: listing objects from the API server'));
    });

    test('Ingress: add, update, delete', async () => {
      await c.apply(ing('crud', [{ host: 'crud.test', paths: [{ path: '/', service: 'app-a' }] }]));
      await route(s.httpPort, 'crud.test', '/', { backend: 'a' });
      await c.apply(ing('crud', [{ host: 'crud.test', paths: [{ path: '/', service: 'app-b' }, { path: '/x', pathType: 'Exact', service: 'app-a' }] }]));
      await route(s.httpPort, 'crud.test', '/', { backend: 'b' });
      await route(s.httpPort, 'crud.test', '/x', { backend: 'a' });
      await c.remove('networking.k8s.io/v1', 'Ingress', 'crud', ns);
      await route(s.httpPort, 'crud.test', '/', { status: 404 });
    });

    test('Service: port change, delete, re-create', async () => {
      await c.apply(svc('app-s'));
      await c.apply(ep('app-s', a));
      await c.apply(ing('svc', [{ host: 'svc.test', paths: [{ path: '/', service: 'app-s' }] }]));
      await route(s.httpPort, 'svc.test', '/', { backend: 'a' });
      await c.apply(svc('app-s', 81)); // the Ingress names port 80: no such port now
      await route(s.httpPort, 'svc.test', '/', { status: 503 });
      await c.apply(svc('app-s', 80));
      await route(s.httpPort, 'svc.test', '/', { backend: 'a' });
      await c.remove('v1', 'Service', 'app-s', ns);
      await route(s.httpPort, 'svc.test', '/', { status: 503 });
      await c.apply(svc('app-s'));
      await route(s.httpPort, 'svc.test', '/', { backend: 'a' });
    });

    test('EndpointSlice: update, add, delete (endpoint fast path, no compile)', async () => {
      await c.apply(svc('app-e'));
      await c.apply(ep('app-e', a));
      await c.apply(ing('eps', [{ host: 'eps.test', paths: [{ path: '/', service: 'app-e' }] }]));
      await route(s.httpPort, 'eps.test', '/', { backend: 'a' });
      const compiles = await metric(s, 'sluice_compile_duration_seconds_count');
      await c.apply(ep('app-e', b)); // same slice, now pointing at b
      await route(s.httpPort, 'eps.test', '/', { backend: 'b' });
      await c.apply(ep('app-e', a, 'app-e-1')); // a second slice: both serve
      await eventually(
        async () => {
          const seen = new Set<string | null>();
          for (let i = 0; i < 8; i++) seen.add((await hit(s.httpPort, 'eps.test')).backend);
          return seen;
        },
        (seen) => seen.has('a') && seen.has('b'),
        'both slices serving',
      );
      await c.remove('discovery.k8s.io/v1', 'EndpointSlice', 'app-e-0', ns);
      await route(s.httpPort, 'eps.test', '/', { backend: 'a' });
      for (let i = 0; i < 5; i++) assert.equal((await hit(s.httpPort, 'eps.test')).backend, 'a');
      await c.remove('discovery.k8s.io/v1', 'EndpointSlice', 'app-e-1', ns);
      await route(s.httpPort, 'eps.test', '/', { status: 503 });
      assert.equal(await metric(s, 'sluice_compile_duration_seconds_count'), compiles, 'endpoint changes do not compile');
    });

    test('IngressClass: creating and deleting a class of ours recompiles', async (t) => {
      const extra = `${c.ingressClass}-extra`;
      t.after(() => c.remove('networking.k8s.io/v1', 'IngressClass', extra));
      await c.apply(ing('classy', [{ host: 'classy.test', paths: [{ path: '/', service: 'app-a' }] }], { className: extra }));
      await sleep(300);
      assert.equal((await hit(s.httpPort, 'classy.test')).status, 404, 'a class that does not exist is not ours');
      await c.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: extra }, spec: { controller: c.controllerClass } });
      await route(s.httpPort, 'classy.test', '/', { backend: 'a' });
      await c.remove('networking.k8s.io/v1', 'IngressClass', extra);
      await route(s.httpPort, 'classy.test', '/', { status: 404 });
    });

    test('IngressClass: the default-class annotation takes class-less Ingresses', async (t) => {
      // On a real cluster a default class changes admission for everyone: fake API server only.
      if (!c.fake) return t.skip('would make the test class the cluster default');
      const dflt = `${c.ingressClass}-default`;
      t.after(() => c.remove('networking.k8s.io/v1', 'IngressClass', dflt));
      await c.apply(ing('classless', [{ host: 'classless.test', paths: [{ path: '/', service: 'app-b' }] }], { className: null }));
      await sleep(300);
      assert.equal((await hit(s.httpPort, 'classless.test')).status, 404);
      await c.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: dflt, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: c.controllerClass } });
      await route(s.httpPort, 'classless.test', '/', { backend: 'b' });
      await c.remove('networking.k8s.io/v1', 'IngressClass', dflt);
      await route(s.httpPort, 'classless.test', '/', { status: 404 });
    });

    test('ConfigMap (--configmap): create, update, delete', async () => {
      const originalUri = async (): Promise<unknown> => (await hit(s.httpPort, 'initial.test', '/cm')).reply.json<{ headers: Record<string, string> }>().headers['x-original-uri'];
      assert.equal(await originalUri(), undefined);
      await c.apply(configMap(ns, 'sluice-config', { 'proxy-add-original-uri-header': 'true' }));
      await eventually(originalUri, (v) => v === '/cm', 'the ConfigMap option applied');
      await c.apply(configMap(ns, 'sluice-config', { 'proxy-add-original-uri-header': 'false' }));
      await eventually(originalUri, (v) => v === undefined, 'the option turned off');
      await c.apply(configMap(ns, 'sluice-config', { 'proxy-add-original-uri-header': 'true' }));
      await eventually(originalUri, (v) => v === '/cm', 'on again');
      await c.remove('v1', 'ConfigMap', 'sluice-config', ns);
      await eventually(originalUri, (v) => v === undefined, 'defaults after the ConfigMap is deleted');
      // Other ConfigMaps are not even watched.
      await c.apply(configMap(ns, 'unrelated', { 'proxy-add-original-uri-header': 'true' }));
      await sleep(300);
      assert.equal(await originalUri(), undefined);
    });

    test('an Ingress created before its Service is published when the endpoints are known, not before', async () => {
      const statuses = new Set<number>();
      let done = false;
      const poller = (async () => {
        while (!done) {
          statuses.add((await hit(s.httpPort, 'late.test')).status);
          await sleep(10);
        }
      })();
      await c.apply(ing('late', [{ host: 'late.test', paths: [{ path: '/', service: 'late-svc' }] }]));
      await sleep(300); // the Ingress is in; its Service is not
      await c.apply(svc('late-svc'));
      await sleep(100); // the Service is in; its EndpointSlice is not
      await c.apply(ep('late-svc', b));
      await route(s.httpPort, 'late.test', '/', { backend: 'b' });
      done = true;
      await poller;
      // Not served (404) until routable (200); never 503 in between.
      assert.ok(statuses.has(404), 'the held Ingress is not served at first');
      assert.deepEqual([...statuses].filter((x) => x !== 200 && x !== 404), [], `statuses seen: ${[...statuses].join(', ')}`);
    });

    test('an Ingress whose Service never appears is published after the bounded hold', async () => {
      await c.apply(ing('orphan', [{ host: 'orphan.test', paths: [{ path: '/', service: 'missing' }] }]));
      assert.equal((await hit(s.httpPort, 'orphan.test')).status, 404);
      await route(s.httpPort, 'orphan.test', '/', { status: 503 });
    });

    test('a status-only update does not recompile', async () => {
      const compiles = await metric(s, 'sluice_compile_duration_seconds_count');
      const events = await metric(s, 'sluice_kubernetes_watch_events_total', { resource: 'ingresses', type: 'MODIFIED' });
      await c.setIngressStatus('initial', { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } });
      await eventually(() => metric(s, 'sluice_kubernetes_watch_events_total', { resource: 'ingresses', type: 'MODIFIED' }), (v) => v > events, 'the status update to arrive');
      await sleep(500); // longer than the debounce: a compile it caused would have happened
      assert.equal(await metric(s, 'sluice_compile_duration_seconds_count'), compiles);
      // A real change still compiles.
      await c.apply(ing('initial', [{ host: 'initial.test', paths: [{ path: '/', service: 'app-b' }] }]));
      await route(s.httpPort, 'initial.test', '/', { backend: 'b' });
      assert.equal(await metric(s, 'sluice_compile_duration_seconds_count'), compiles + 1);
    });
  });
}
