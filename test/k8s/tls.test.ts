// Cluster mode against the fake API server: TLS Secrets created, rotated and deleted via the API.
import { fakeCluster } from './harness.ts';
import { defineTlsSuite } from './suites/tls.ts';

defineTlsSuite(() => fakeCluster());
