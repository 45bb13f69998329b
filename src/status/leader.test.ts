// Leader election against the fake API server, with short timings: exactly one leader, and never
// two at the same moment, through faults (failed writes, stalled requests, the API down).

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { startFakeApiServer, waitFor } from '../../test/fake-apiserver/index.ts';
import { createLogger } from '../log/logger.ts';
import { ClientNodeApi, loadKubeConfig } from '../sources/kubernetes/api-client.ts';
import { LeaderElector } from './leader.ts';

const log = createLogger('silent');
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function electors(n: number) {
  const api = await startFakeApiServer();
  cleanups.push(() => api.close());
  const kc = loadKubeConfig(await api.writeKubeconfig());
  const list = Array.from({ length: n }, (_, i) => new LeaderElector(new ClientNodeApi(kc, `test/${i}`), { namespace: 'default', name: 'lock', identity: `r${i}`, leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 }, log));
  for (const e of list) cleanups.push(() => e.stop());
  return { api, list };
}

test('one leader; the Lease names it; a stopped leader releases and another takes over', async () => {
  const { api, list } = await electors(3);
  for (const e of list) e.start();
  await waitFor(() => list.filter((e) => e.isLeader).length === 1, { what: 'a leader' });
  const leader = list.find((e) => e.isLeader)!;
  const lease = api.get<{ spec: { holderIdentity: string; renewTime: string } }>('Lease', 'default', 'lock')!;
  assert.equal(lease.spec.holderIdentity, leader.identity);
  assert.match(lease.spec.renewTime, /\.\d{6}Z$/);
  await leader.stop();
  assert.equal(api.get<{ spec: { holderIdentity: string } }>('Lease', 'default', 'lock')!.spec.holderIdentity, '', 'released');
  await waitFor(() => list.filter((e) => e !== leader && e.isLeader).length === 1, { timeoutMs: 1000, what: 'a new leader, without waiting out the lease' });
});

test('never two leaders at once, through failed writes, stalls and an outage', async () => {
  const { api, list } = await electors(3);
  let max = 0;
  let changes = 0;
  for (const e of list) e.onChange(() => changes++);
  const sampler = setInterval(() => (max = Math.max(max, list.filter((e) => e.isLeader).length)), 2);
  cleanups.push(() => clearInterval(sampler));
  for (const e of list) e.start();
  await waitFor(() => list.some((e) => e.isLeader), { what: 'a leader' });
  api.faults.failNext(5, 500, { resource: 'leases', verb: 'update' });
  await new Promise((r) => setTimeout(r, 800));
  api.faults.stall(1800, { resource: 'leases' }); // longer than the renew deadline: the leader must step down
  await new Promise((r) => setTimeout(r, 2200));
  await api.faults.down();
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(list.filter((e) => e.isLeader).length, 0, 'nobody leads without the API');
  await api.faults.up();
  await waitFor(() => list.filter((e) => e.isLeader).length === 1, { timeoutMs: 6000, what: 'a leader again' });
  clearInterval(sampler);
  assert.equal(max, 1, 'at most one leader at any sampled moment');
  assert.ok(changes >= 3, `leadership changed hands (${changes} changes)`);
});
