// Cluster mode against the fake API server: sync and changes of every kind, one process.
import { fakeCluster } from './harness.ts';
import { defineRoutingSuite } from './suites/routing.ts';

defineRoutingSuite(() => fakeCluster());
