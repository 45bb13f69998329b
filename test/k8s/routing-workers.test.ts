// Cluster mode against the fake API server with --workers 2: the primary runs the watches and
// compiles; tables and endpoint updates reach both data-plane workers.
import { fakeCluster } from './harness.ts';
import { defineRoutingSuite } from './suites/routing.ts';

defineRoutingSuite(() => fakeCluster(), { workers: 2 });
