// The cluster-mode suites against a real cluster: set SLUICE_TEST_KUBECONFIG to a kubeconfig
// whose user may create namespaces, IngressClasses, Services, EndpointSlices, Secrets,
// ConfigMaps, Ingresses (and their status), Leases and Events. Each suite works in a namespace
// of its own (deleted afterwards) and sluice is started with --watch-namespace, so nothing else
// in the cluster is touched. sluice runs on this machine; the backends are on 127.0.0.1, which
// the test's EndpointSlices point to. Tests that need the fake API server's fault injection or
// request log are skipped. Skipped entirely when the variable is not set.

import { test } from 'node:test';
import { realCluster } from './harness.ts';
import { defineFaultSuite } from './suites/faults.ts';
import { defineRoutingSuite } from './suites/routing.ts';
import { definePublishServiceSuite, defineStatusSuite } from './suites/status.ts';
import { defineTlsSuite } from './suites/tls.ts';

const kubeconfig = process.env.SLUICE_TEST_KUBECONFIG;
if (!kubeconfig) {
  test('cluster-mode suites on a real cluster', { skip: 'set SLUICE_TEST_KUBECONFIG to run them' }, () => {});
} else {
  const make = () => realCluster(kubeconfig);
  defineRoutingSuite(make);
  defineTlsSuite(make);
  defineStatusSuite(make);
  definePublishServiceSuite(make);
  defineFaultSuite(make);
}
