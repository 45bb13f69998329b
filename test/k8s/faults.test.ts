// Cluster mode against the fake API server: dropped watches, 410 re-lists, API server outages.
import { fakeCluster } from './harness.ts';
import { defineFaultSuite } from './suites/faults.ts';

defineFaultSuite(() => fakeCluster());
