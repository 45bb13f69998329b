// Pipeline order (see ../pipeline.ts for why this order): each entry decides per target whether
// its step is needed, so a plain route runs no policy code at all.

import { registerSteps } from '../pipeline.ts';
import { deniedStep } from './denied.ts';
import { sslRedirectStep } from './ssl-redirect.ts';
import { hstsStep } from './hsts.ts';
import { accessStep } from './access.ts';
import { basicAuthStep } from './basic-auth.ts';
import { externalAuthStep } from './external-auth.ts';
import { wwwRedirectStep } from './www-redirect.ts';
import { appRootStep } from './app-root.ts';
import { redirectStep } from './redirect.ts';
import { rewriteStep } from './rewrite.ts';
import { upstreamVhostStep } from './upstream-vhost.ts';
import { customErrorsStep, defaultBackendStep } from './error-pages.ts';
import { corsStep } from './cors.ts';
import { affinityStep } from './affinity.ts';

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
  // Rewrite phase, in the order of the location's rewrite-module directives: the CORS `if`
  // blocks (preflight answered with 204; headers on every answer, redirects included), the
  // redirect `return`, rewrite-target; then the Lua SSL redirect.
  corsStep,
  redirectStep,
  rewriteStep,
  sslRedirectStep,
  // Access phase: everything here runs after the CORS preflight (a preflight never carries
  // credentials, so it must not be refused by authentication). A denied route answers 503
  // first; then, in nginx's access-phase order, allow/deny lists (403), basic auth (401),
  // external auth.
  deniedStep,
  accessStep,
  basicAuthStep,
  externalAuthStep,
  // Proxy settings.
  upstreamVhostStep,
  defaultBackendStep,
  // The endpoint choice.
  affinityStep,
]);
