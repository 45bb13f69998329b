// Cluster mode with two replicas: leader election on a Lease, Ingress status written by the
// leader only and only on change, cleared when an Ingress stops being ours, Events for problems,
// hand-over when the leader dies or shuts down. Request counts need the fake API server's request
// log; the rest also runs on a real cluster.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackend, type Backend } from '../../helpers/backend.ts';
import { ingress, service, slice, type RuleSpec } from '../../helpers/objects.ts';
import type { Sluice } from '../../helpers/sluice.ts';
import { startClusterSluice, type ClusterUnderTest } from '../harness.ts';
import { eventually } from '../util.ts';

type Addr = { ip?: string; hostname?: string };
const ADDRESSES = [{ ip: '192.0.2.1' }, { hostname: 'lb.example.test' }];
const ua = (pod: string): string => `sluice/${pod}`;

interface EventView {
  reason?: string;
  type?: string;
  note?: string;
  reportingInstance?: string;
  reportingController?: string;
  regarding?: { name?: string; kind?: string };
  series?: { count?: number };
}

export function defineStatusSuite(make: () => Promise<ClusterUnderTest>): void {
  describe('cluster mode: leader election, Ingress status, Events', () => {
    let c: ClusterUnderTest;
    let a: Backend;
    let ns: string;
    const replicas: Record<string, Sluice> = {};
    const ing = (name: string, rules: RuleSpec[], o: Parameters<typeof ingress>[3] = {}): object => ingress(ns, name, rules, { className: c.ingressClass, ...o });
    const rule = (host: string, svc = 'app'): RuleSpec[] => [{ host, paths: [{ path: '/', service: svc }] }];
    const statusOf = async (name: string): Promise<Addr[]> => {
      const o = await c.get<{ status?: { loadBalancer?: { ingress?: Addr[] } } }>('networking.k8s.io/v1', 'Ingress', name, ns);
      return (o?.status?.loadBalancer?.ingress ?? []).map((x) => (x.ip ? { ip: x.ip } : { hostname: x.hostname }));
    };
    const statusWrites = (name?: string): { userAgent?: string }[] =>
      c.fake!.requests.filter((r) => r.verb === 'patch' && r.resource?.startsWith('ingresses') && r.subresource === 'status' && (name === undefined || r.name === name));
    const events = async (name: string): Promise<EventView[]> => (await c.list<EventView>('events.k8s.io/v1', 'Event', ns)).filter((e) => e.regarding?.name === name);
    const start = (pod: string, args: string[] = []): Promise<Sluice> =>
      startClusterSluice(c, { env: { POD_NAME: pod }, args: ['--publish-status-address', '192.0.2.1,lb.example.test', ...args] }).then((s) => (replicas[pod] = s));
    const leading = (s: Sluice, from = 0, timeoutMs = 30_000) => s.waitForLog((r) => typeof r.msg === 'string' && r.msg.startsWith('leader election: now the leader'), timeoutMs, from);

    before(async () => {
      c = await make();
      ns = c.namespace;
      a = await startBackend('a');
      for (const o of [service(ns, 'app', [{ name: 'http', port: 80, targetPort: 'http' }]), slice(ns, 'app', 'http', a.port, ['127.0.0.1']), ing('one', rule('one.test')), ing('two', rule('two.test')), ing('foreign', rule('foreign.test'), { className: 'someone-else' })]) await c.apply(o);
      await leading(await start('sluice-a'));
      await start('sluice-b');
    });

    after(async () => {
      for (const s of Object.values(replicas)) await s.stop();
      await a?.close();
      await c?.close();
    });

    test('the leader writes the address into the status of the Ingresses it serves, once each', async () => {
      for (const name of ['one', 'two']) await eventually(() => statusOf(name), (v) => JSON.stringify(v) === JSON.stringify(ADDRESSES), `status of ${name}`);
      assert.deepEqual(await statusOf('foreign'), [], 'not ours: untouched');
      const lease = await c.get<{ spec: { holderIdentity: string; leaseDurationSeconds: number } }>('coordination.k8s.io/v1', 'Lease', c.electionId, ns);
      assert.equal(lease?.spec.holderIdentity, 'sluice-a');
      assert.equal(lease?.spec.leaseDurationSeconds, 15);
      if (c.fake) {
        assert.equal(statusWrites('one').length, 1);
        assert.equal(statusWrites('two').length, 1);
        assert.ok(statusWrites().every((r) => r.userAgent === ua('sluice-a')), 'only the leader writes');
      }
    });

    test('no write when nothing changed; a new Ingress gets exactly one', async (t) => {
      if (!c.fake) return t.skip('counts requests in the fake API server log');
      const before = statusWrites().length;
      await c.apply(ing('three', rule('three.test')));
      await eventually(() => statusOf('three'), (v) => v.length === 2, 'status of three');
      // More compiles (an unrelated change), and time for anything pending to happen.
      await c.apply(ing('foreign', [{ host: 'foreign2.test', paths: [{ path: '/', service: 'app' }] }], { className: 'someone-else' }));
      await sleep(1000);
      assert.equal(statusWrites().length, before + 1);
      assert.equal(statusWrites('three').length, 1);
      assert.ok(statusWrites().every((r) => r.userAgent === ua('sluice-a')));
    });

    test('a status overwritten by someone else is put back', async () => {
      await c.setIngressStatus('one', { loadBalancer: { ingress: [{ ip: '203.0.113.9' }] } });
      await eventually(() => statusOf('one'), (v) => JSON.stringify(v) === JSON.stringify(ADDRESSES), 'status of one restored');
    });

    test('an Ingress that stops being ours has its status cleared', async () => {
      await c.patch({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'two', namespace: ns } }, { spec: { ingressClassName: 'someone-else' } });
      await eventually(() => statusOf('two'), (v) => v.length === 0, 'status of two cleared');
    });

    test('Events: Warnings name the field and reason of each problem (annotation, Service, Secret); one Normal Sync per generation; deduplicated; leader only', async () => {
      await c.apply(ing('bad', rule('bad.test', 'no-such-service'), { annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': 'lots' }, tls: [{ hosts: ['bad.test'], secretName: 'no-such-secret' }] }));
      const reasons = ['InvalidAnnotation', 'ServiceNotFound', 'SecretNotFound', 'Sync'];
      const evs = await eventually(() => events('bad'), (e) => reasons.every((r) => e.some((x) => x.reason === r)), 'Events on bad');
      assert.match(evs.find((e) => e.reason === 'SecretNotFound')!.note!, /^spec\.tls\[0\]\.secretName: Secret .*no-such-secret not found/);
      const invalid = evs.find((e) => e.reason === 'InvalidAnnotation')!;
      assert.equal(invalid.type, 'Warning');
      assert.match(invalid.note!, /metadata\.annotations\["nginx\.ingress\.kubernetes\.io\/proxy-body-size"\].*"lots"/);
      const missing = evs.find((e) => e.reason === 'ServiceNotFound')!;
      assert.equal(missing.type, 'Warning');
      assert.match(missing.note!, /^spec\.rules\[0\]\.http\.paths\[0\]\.backend\.service: .*no-such-service/);
      const sync = evs.find((e) => e.reason === 'Sync')!;
      assert.equal(sync.type, 'Normal');
      assert.match(sync.note!, /generation 1/);
      for (const e of evs) {
        assert.equal(e.reportingInstance, 'sluice-a', 'the leader reports');
        assert.equal(e.reportingController, c.controllerClass);
      }
      // More compiles: no new Events for problems that did not change.
      const count = evs.length;
      await c.apply(ing('four', rule('four.test')));
      await eventually(() => events('four'), (e) => e.some((x) => x.reason === 'Sync'), 'Sync Event on four');
      await sleep(500);
      assert.equal((await events('bad')).length, count, 'no duplicates');
      assert.equal((await events('one')).filter((e) => e.reason === 'Sync').length, 1, 'one Sync Event per generation');
      // A new generation is synced again.
      await c.apply(ing('one', [{ host: 'one.test', paths: [{ path: '/', service: 'app' }, { path: '/v2', service: 'app' }] }]));
      await eventually(async () => (await events('one')).filter((e) => e.reason === 'Sync').length, (n) => n === 2, 'Sync Event for generation 2');
    });

    test('leader hand-over: the leader is killed; the follower takes the Lease within the lease duration and writes status', async () => {
      const b = replicas['sluice-b']!;
      const from = b.logs.length;
      const killedAt = Date.now();
      replicas['sluice-a']!.proc.kill('SIGKILL');
      await replicas['sluice-a']!.exited;
      // Bounded by the lease duration (15 s) plus two retry periods (2 s) and some slack.
      await leading(b, from, 15_000 + 2 * 2_000 + 3_000);
      t_log(`hand-over after SIGKILL: ${Date.now() - killedAt} ms`);
      const lease = await c.get<{ spec: { holderIdentity: string; leaseTransitions: number } }>('coordination.k8s.io/v1', 'Lease', c.electionId, ns);
      assert.equal(lease?.spec.holderIdentity, 'sluice-b');
      assert.ok((lease?.spec.leaseTransitions ?? 0) >= 1);
      await c.apply(ing('after-handover', rule('after.test')));
      await eventually(() => statusOf('after-handover'), (v) => v.length === 2, 'status written by the new leader');
      if (c.fake) assert.ok(statusWrites('after-handover').every((r) => r.userAgent === ua('sluice-b')));
    });

    test('graceful shutdown releases the Lease: the other replica leads within a retry period or two', async () => {
      const cRep = await start('sluice-c');
      const from = cRep.logs.length;
      const stoppedAt = Date.now();
      await replicas['sluice-b']!.stop('SIGTERM');
      // Released: no lease duration to wait out, just the next retry (2 s, jittered).
      await leading(cRep, from, 8_000);
      t_log(`hand-over after SIGTERM: ${Date.now() - stoppedAt} ms`);
    });

    test('--update-status=false: no status writes', async (t) => {
      if (!c.fake) return t.skip('counts requests in the fake API server log');
      // Its own Lease, so that it leads (and would write) at once.
      const d = await start('sluice-d', ['--update-status=false', '--election-id', `${c.electionId}-d`]);
      await leading(d);
      await c.setIngressStatus('one', { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } });
      await sleep(1000);
      assert.equal(statusWrites().filter((r) => r.userAgent === ua('sluice-d')).length, 0);
    });
  });
}

function t_log(msg: string): void {
  process.stderr.write(`# ${msg}\n`);
}

export function definePublishServiceSuite(make: () => Promise<ClusterUnderTest>): void {
  describe('cluster mode: --publish-service', () => {
    let c: ClusterUnderTest;
    let s: Sluice;
    let ns: string;
    const statusOf = async (): Promise<Addr[]> => {
      const o = await c.get<{ status?: { loadBalancer?: { ingress?: Addr[] } } }>('networking.k8s.io/v1', 'Ingress', 'web', ns);
      return (o?.status?.loadBalancer?.ingress ?? []).map((x) => (x.ip ? { ip: x.ip } : { hostname: x.hostname }));
    };

    before(async () => {
      c = await make();
      ns = c.namespace;
      await c.apply(service(ns, 'sluice-lb', [{ name: 'http', port: 80, targetPort: 'http' }], { type: 'LoadBalancer' }));
      await c.apply(ingress(ns, 'web', [{ host: 'web.test', paths: [{ path: '/', service: 'sluice-lb' }] }], { className: c.ingressClass }));
      s = await startClusterSluice(c, { args: ['--publish-service', `${ns}/sluice-lb`] });
    });

    after(async () => {
      await s?.stop();
      await c?.close();
    });

    test('LoadBalancer: its status address is published and followed', async () => {
      await c.setServiceStatus('sluice-lb', { loadBalancer: { ingress: [{ ip: '198.51.100.7' }] } });
      await eventually(statusOf, (v) => JSON.stringify(v) === JSON.stringify([{ ip: '198.51.100.7' }]), 'the LB address');
      await c.setServiceStatus('sluice-lb', { loadBalancer: { ingress: [{ hostname: 'lb.cloud.test' }] } });
      await eventually(statusOf, (v) => JSON.stringify(v) === JSON.stringify([{ hostname: 'lb.cloud.test' }]), 'the new LB address');
    });

    test('NodePort: the addresses of the nodes that run its endpoints', async (t) => {
      if (!c.fake) return t.skip('creates Node objects');
      c.fake.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'ExternalIP', address: '203.0.113.50' }] } });
      c.fake.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-2' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] } });
      await c.apply(service(ns, 'sluice-lb', [{ name: 'http', port: 80, targetPort: 'http' }], { type: 'NodePort' }));
      const sl = slice(ns, 'sluice-lb', 'http', 8080, ['10.1.0.1', '10.1.0.2']) as { endpoints: { nodeName?: string }[] };
      sl.endpoints[0]!.nodeName = 'node-1';
      sl.endpoints[1]!.nodeName = 'node-2';
      await c.apply(sl);
      await eventually(statusOf, (v) => JSON.stringify(v) === JSON.stringify([{ ip: '10.0.0.2' }, { ip: '203.0.113.50' }]), 'node addresses');
    });
  });
}
