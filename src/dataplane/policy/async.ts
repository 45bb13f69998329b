// Asynchronous policy steps (basic auth with a slow hash, external auth). A step that must wait
// starts its work with startAsync() and returns ASYNC; when the work finishes, the same step is
// run again (resumeAt is moved back to it) and takes the result with takeResult(), deciding as if
// it had been synchronous. A result is dropped when the client has gone or the connection has
// moved on to another request (Decision.pending is reset per request).

import type { Decision } from './decision.ts';
import { ASYNC, type PolicyHost, type StepResult } from './request-view.ts';

class AsyncJob<T> {
  readonly owner: object;
  done = false;
  result: T | undefined = undefined;
  constructor(owner: object) {
    this.owner = owner;
  }
}

export function startAsync<T>(owner: object, d: Decision, host: PolicyHost, work: Promise<T>): StepResult {
  const job = new AsyncJob<T>(owner);
  d.pending = job;
  void work.then((result) => {
    if (host.aborted || d.pending !== job) return;
    job.done = true;
    job.result = result;
    // runSteps set resumeAt past this step; run it again to consume the result.
    d.resumeAt--;
    host.resumePolicies();
  });
  return ASYNC;
}

/** The finished result of `owner`'s asynchronous work for this request, or undefined. */
export function takeResult<T>(owner: object, d: Decision): T | undefined {
  const job = d.pending;
  if (!(job instanceof AsyncJob) || job.owner !== owner || !job.done) return undefined;
  d.pending = null;
  return job.result as T;
}
