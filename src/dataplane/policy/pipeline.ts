// The order in which policies apply, declared in one place. It follows nginx's phases as
// ingress-nginx renders them: server rewrite (app-root), location rewrite (CORS preflight,
// redirects, then the Lua SSL redirect), access (deny/allow, basic auth, external auth), then
// the proxy's own settings (rewrite-target, upstream-vhost, headers, affinity, error pages).

import type { Target } from '../router.ts';
import type { Decision } from './decision.ts';
import { CONTINUE, type PolicyHost, type RequestView, type StepResult } from './request-view.ts';

export type Step = (req: RequestView, t: Target, d: Decision, host: PolicyHost) => StepResult;

/** A step factory: returns the step when the target's policy needs it, else null. */
export type StepFactory = (t: Target) => Step | null;

const FACTORIES: StepFactory[] = [];

/** Registers step factories in pipeline order (see steps/index.ts for the order). */
export function registerSteps(factories: StepFactory[]): void {
  FACTORIES.length = 0;
  FACTORIES.push(...factories);
}

/** The steps a target needs, in order. Built once per target when a table is installed. */
export function buildSteps(t: Target): Step[] {
  const out: Step[] = [];
  for (const f of FACTORIES) {
    const s = f(t);
    if (s !== null) out.push(s);
  }
  return out;
}

/** Runs steps from `from`; returns CONTINUE (proxy), RESPOND (d.status set) or ASYNC. */
export function runSteps(steps: readonly Step[], from: number, req: RequestView, t: Target, d: Decision, host: PolicyHost): StepResult {
  for (let i = from; i < steps.length; i++) {
    const r = steps[i]!(req, t, d, host);
    if (r !== CONTINUE) {
      d.resumeAt = i + 1;
      return r;
    }
  }
  return CONTINUE;
}
