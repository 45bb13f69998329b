// Pipeline order (see ../pipeline.ts for why this order): each entry decides per target whether
// its step is needed, so a plain route runs no policy code at all.

import { registerSteps } from '../pipeline.ts';
import { deniedStep } from './denied.ts';
import { sslRedirectStep } from './ssl-redirect.ts';
import { hstsStep } from './hsts.ts';

registerSteps([
  // Response headers that apply to every answer, local or proxied, come first.
  hstsStep,
  // Rewrite phase.
  sslRedirectStep,
  // Access phase.
  deniedStep,
]);
