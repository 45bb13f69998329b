// A route whose Ingress has an invalid annotation answers 503 (fail closed: an allow-list typo
// must never open a route), like ingress-nginx's "location denied".

import { RESPOND } from '../request-view.ts';
import type { Step, StepFactory } from '../pipeline.ts';

const denied: Step = (_req, t, d) => {
  d.status = 503;
  d.headers = '';
  void t;
  return RESPOND;
};

export const deniedStep: StepFactory = (t) => (t.policy.denied !== null ? denied : null);
