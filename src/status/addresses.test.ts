import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointSlice, Service } from '../model/k8s.ts';
import { serviceAddresses, statusAddresses } from './addresses.ts';

const svc = (spec: Service['spec'], status?: Service['status']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n' }, spec, ...(status ? { status } : {}) });
const sl = (nodes: (string | undefined)[], ready = true): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'x', namespace: 'n' },
  addressType: 'IPv4',
  endpoints: nodes.map((n, i) => ({ addresses: [`10.0.0.${i}`], conditions: { ready }, ...(n ? { nodeName: n } : {}) })),
});

test('--publish-status-address: IPs and hostnames, sorted, de-duplicated', () => {
  assert.deepEqual(statusAddresses(['lb.example.com', '10.0.0.2', '2001:db8::1', '10.0.0.2']), [{ ip: '10.0.0.2' }, { ip: '2001:db8::1' }, { hostname: 'lb.example.com' }]);
});

test('--publish-service by Service type', () => {
  const none = (): string | null => null;
  assert.deepEqual(serviceAddresses(svc({ type: 'LoadBalancer', externalIPs: ['192.0.2.9'] }, { loadBalancer: { ingress: [{ hostname: 'x.elb.test' }, { ip: '192.0.2.1' }] } }), [], none), [
    { ip: '192.0.2.1' },
    { ip: '192.0.2.9' },
    { hostname: 'x.elb.test' },
  ]);
  assert.deepEqual(serviceAddresses(svc({ type: 'LoadBalancer' }), [], none), [], 'no address yet');
  assert.deepEqual(serviceAddresses(svc({ type: 'ClusterIP', clusterIP: '10.96.0.10' }), [], none), [{ ip: '10.96.0.10' }]);
  assert.deepEqual(serviceAddresses(svc({ type: 'ClusterIP', clusterIP: '10.96.0.10', externalIPs: ['198.51.100.1'] }), [], none), [{ ip: '198.51.100.1' }]);
  assert.deepEqual(serviceAddresses(svc({ type: 'ExternalName', externalName: 'lb.test' }), [], none), [{ hostname: 'lb.test' }]);
});

test('NodePort: addresses of the nodes running ready endpoints; unknown while being looked up', () => {
  const nodes: Record<string, string | null> = { a: '203.0.113.1', b: '10.0.0.2' };
  const s = svc({ type: 'NodePort' });
  assert.deepEqual(serviceAddresses(s, [sl(['a', 'b', 'a', undefined])], (n) => nodes[n]), [{ ip: '10.0.0.2' }, { ip: '203.0.113.1' }]);
  assert.deepEqual(serviceAddresses(s, [sl(['a'], false)], (n) => nodes[n]), [], 'not ready: not counted');
  assert.equal(serviceAddresses(s, [sl(['c'])], (n) => nodes[n]), null);
  assert.deepEqual(serviceAddresses(svc({ type: 'NodePort', externalIPs: ['192.0.2.5'] }), [sl(['a'])], (n) => nodes[n]), [{ ip: '192.0.2.5' }]);
});
