// Public surface of the fake Kubernetes API server (test infrastructure).

export { FakeApiServer, startFakeApiServer, type FakeApiServerOptions } from './server.ts';
export type { KubeObject, PatchType, TypeRef } from './direct-access.ts';
export type { Faults } from './faults.ts';
export type { RequestFilter, RequestRecord, Verb } from './request-log.ts';
export { ApiError, type Status } from './status.ts';
export { waitFor } from './wait.ts';
