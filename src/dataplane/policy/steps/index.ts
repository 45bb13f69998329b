// Pipeline order (see ../pipeline.ts for why this order): each entry decides per target whether
// its step is needed, so a plain route runs no policy code at all.

import { registerSteps } from '../pipeline.ts';
import { deniedStep } from './denied.ts';
import { sslRedirectStep } from './ssl-redirect.ts';
import { hstsStep } from './hsts.ts';
import { wwwRedirectStep } from './www-redirect.ts';
import { appRootStep } from './app-root.ts';
import { redirectStep } from './redirect.ts';
import { rewriteStep } from './rewrite.ts';
import { upstreamVhostStep } from './upstream-vhost.ts';
import { customErrorsStep, defaultBackendStep } from './error-pages.ts';

registerSteps([
  // Server level, before any location is chosen (no location headers such as HSTS): the
  // from-to-www redirect server, then app-root.
  wwwRedirectStep,
  appRootStep,
  // Response headers that apply to every answer of a location, local or proxied.
  hstsStep,
  // custom-http-errors covers every answer of the location, local ones included (nginx
  // error_page), so it is armed before any step may answer.
  customErrorsStep,
  // Rewrite phase: nginx rewrite-module directives (redirect `return`, rewrite-target), then the
  // Lua SSL redirect.
  redirectStep,
  rewriteStep,
  sslRedirectStep,
  // Access phase.
  deniedStep,
  // Proxy settings.
  upstreamVhostStep,
  defaultBackendStep,
]);
