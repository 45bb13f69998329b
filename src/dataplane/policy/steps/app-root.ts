// app-root: ingress-nginx renders `if ($uri = /) { return 302 $scheme://$http_host<app-root>; }`
// at server level, so it answers "/" on the whole host (whichever location would match, before
// any location rule such as the SSL redirect or HSTS), with the query string dropped.

import { CONTINUE, RESPOND } from '../request-view.ts';
import type { Step, StepFactory } from '../pipeline.ts';

const appRoot: Step = (req, t, d) => {
  if (req.path !== '/') return CONTINUE;
  d.redirect(302, `${req.scheme}://${req.host}${t.server.server.appRoot}`);
  return RESPOND;
};

export const appRootStep: StepFactory = (t) => (t.server.server.appRoot !== undefined ? appRoot : null);
