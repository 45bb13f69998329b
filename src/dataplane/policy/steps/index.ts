// Pipeline order (see ../pipeline.ts for why this order): each entry decides per target whether
// its step is needed, so a plain route runs no policy code at all.

import { registerSteps } from '../pipeline.ts';
import { deniedStep } from './denied.ts';
import { sslRedirectStep } from './ssl-redirect.ts';
import { hstsStep } from './hsts.ts';
import { corsStep } from './cors.ts';
import { affinityStep } from './affinity.ts';

registerSteps([
  // Response headers that apply to every answer, local or proxied, come first.
  hstsStep,
  // Rewrite phase. The CORS `if` blocks sit in the location before rewrite_by_lua, so the
  // preflight is answered (204) before the Lua SSL redirect, and its headers ride on a redirect.
  corsStep,
  sslRedirectStep,
  // Access phase: everything here runs after the CORS preflight (a preflight never carries
  // credentials, so it must not be refused by authentication).
  deniedStep,
  // (deny/allow source ranges, basic auth, external auth go here.)
  // Proxy settings: the endpoint choice.
  affinityStep,
]);
