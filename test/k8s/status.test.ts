// Cluster mode against the fake API server: leader election between two replicas, Ingress status,
// Events, hand-over; --publish-service addresses.
import { fakeCluster } from './harness.ts';
import { definePublishServiceSuite, defineStatusSuite } from './suites/status.ts';

defineStatusSuite(() => fakeCluster());
definePublishServiceSuite(() => fakeCluster());
