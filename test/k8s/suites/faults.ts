// Cluster mode under API faults: dropped watches, 410 Gone after compaction, the API server down
// and back, failing lists at start. Needs the fake API server's fault injection (skipped on a
// real cluster).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackend, type Backend } from '../../helpers/backend.ts';
import { ingress, service, slice, type RuleSpec } from '../../helpers/objects.ts';
import type { Sluice } from '../../helpers/sluice.ts';
import type { FakeApiServer } from '../../fake-apiserver/index.ts';
import { metric, startClusterSluice, type ClusterUnderTest } from '../harness.ts';
import { eventually, hit, route } from '../util.ts';

export function defineFaultSuite(make: () => Promise<ClusterUnderTest>): void {
  describe('cluster mode: API faults', () => {
    let c: ClusterUnderTest;
    let api: FakeApiServer;
    let s: Sluice;
    let a: Backend;
    let ns: string;
    let skip: string | false = false;
    const ing = (name: string, rules: RuleSpec[]): object => ingress(ns, name, rules, { className: c.ingressClass });
    const rule = (host: string): RuleSpec[] => [{ host, paths: [{ path: '/', service: 'app' }] }];

    before(async () => {
      c = await make();
      if (!c.fake) {
        skip = 'needs the fake API server (fault injection)';
        return;
      }
      api = c.fake;
      ns = c.namespace;
      a = await startBackend('a');
      for (const o of [service(ns, 'app', [{ name: 'http', port: 80, targetPort: 'http' }]), slice(ns, 'app', 'http', a.port, ['127.0.0.1']), ing('base', rule('base.test'))]) await c.apply(o);
      s = await startClusterSluice(c);
    });

    after(async () => {
      await s?.stop();
      await a?.close();
      await c?.close();
    });

    test('a dropped watch resumes from its resourceVersion: changes made meanwhile arrive, no re-list', async (t) => {
      if (skip) return t.skip(skip);
      await eventually(async () => api.openWatches({ resource: 'ingresses' }), (n) => n === 1, 'the Ingress watch');
      const lists = await metric(s, 'sluice_kubernetes_lists_total', { resource: 'ingresses' });
      api.faults.stall(500, { verb: 'watch' }); // reconnects hang a while
      assert.ok(api.faults.dropWatches() >= 5, 'every watch cut');
      await c.apply(ing('during-drop', rule('drop.test')));
      await route(s.httpPort, 'drop.test', '/', { backend: 'a' });
      assert.equal(await metric(s, 'sluice_kubernetes_lists_total', { resource: 'ingresses' }), lists, 'resumed, not re-listed');
      assert.ok((await metric(s, 'sluice_kubernetes_watch_failures_total', { resource: 'ingresses', reason: 'connection' })) >= 1);
      const resumed = api.requests.filter((r) => r.verb === 'watch' && r.resource?.startsWith('ingresses')).at(-1)!;
      assert.notEqual(resumed.query.resourceVersion, '');
      assert.equal(resumed.query.allowWatchBookmarks, 'true');
    });

    test('410 Gone: what was missed while history was compacted is caught up by a re-list, deletions included', async (t) => {
      if (skip) return t.skip(skip);
      await c.apply(ing('doomed', rule('doomed.test')));
      await route(s.httpPort, 'doomed.test', '/', { backend: 'a' });
      const lists = await metric(s, 'sluice_kubernetes_lists_total', { resource: 'ingresses' });
      api.faults.stall(800, { verb: 'watch' });
      api.faults.dropWatches();
      // While no watch is open: one Ingress deleted, one created, then history is compacted,
      // so resuming from the old resourceVersion is impossible.
      await c.remove('networking.k8s.io/v1', 'Ingress', 'doomed', ns);
      await c.apply(ing('born', rule('born.test')));
      api.faults.compact();
      await route(s.httpPort, 'born.test', '/', { backend: 'a' });
      await route(s.httpPort, 'doomed.test', '/', { status: 404 });
      assert.ok((await metric(s, 'sluice_kubernetes_lists_total', { resource: 'ingresses' })) > lists, 're-listed');
      assert.ok((await metric(s, 'sluice_kubernetes_watch_failures_total', { resource: 'ingresses', reason: 'gone' })) >= 1);
      assert.equal((await hit(s.httpPort, 'base.test')).backend, 'a', 'untouched Ingresses keep serving');
    });

    test('API server down: the last table keeps serving; when it is back, sluice catches up', async (t) => {
      if (skip) return t.skip(skip);
      await c.apply(ing('goner', rule('goner.test')));
      await route(s.httpPort, 'goner.test', '/', { backend: 'a' });
      await api.faults.down();
      // Changed behind sluice's back (directly in the fake's store) while it cannot watch.
      api.create(ing('while-down', rule('while-down.test')) as never);
      api.delete('Ingress', ns, 'goner');
      for (let i = 0; i < 10; i++) {
        assert.equal((await hit(s.httpPort, 'base.test')).status, 200, 'serving continues');
        await sleep(100);
      }
      assert.equal((await hit(s.httpPort, 'goner.test')).backend, 'a', 'the last good table is kept');
      assert.equal((await s.admin('/healthz')).status, 200, 'still ready');
      const problems = JSON.parse((await s.admin('/debug/errors')).body) as { sources: { resource: string; message: string }[] };
      assert.ok(problems.sources.length > 0, 'the failing watches are reported');
      await api.faults.up();
      await route(s.httpPort, 'while-down.test', '/', { backend: 'a' }, 20_000);
      await route(s.httpPort, 'goner.test', '/', { status: 404 });
      await eventually(async () => JSON.parse((await s.admin('/debug/errors')).body).sources.length, (n) => n === 0, 'watch errors cleared', 20_000);
    });

    test('failing lists at start: retried until the initial sync completes; /healthz says why meanwhile', async (t) => {
      if (skip) return t.skip(skip);
      await api.faults.down();
      const s2 = await startClusterSluice(c, { waitReady: false, args: ['--election-id', `${c.electionId}-2`] });
      t.after(() => s2.stop());
      const h = await eventually(() => s2.admin('/healthz'), (r) => /initial sync/.test(r.body), 'a not-ready reason');
      assert.equal(h.status, 503);
      await eventually(() => s2.admin('/healthz'), (r) => /ECONNREFUSED|Unreachable|connect/i.test(r.body), 'the connection error in the reason');
      await api.faults.up();
      api.faults.failNext(2, 500, { verb: 'list', resource: 'ingresses' });
      await s2.ready(30_000);
      assert.equal((await s2.admin('/healthz')).status, 200);
      assert.equal((await hit(s2.httpPort, 'base.test')).backend, 'a');
    });
  });
}
