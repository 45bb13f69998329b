// HTTP → HTTPS redirect, as ingress-nginx's Lua rewrite does it: for hosts with TLS (unless
// ssl-redirect: "false"), or always with force-ssl-redirect; code from http-redirect-code (308);
// host without port; trailing slash dropped unless preserve-trailing-slash; the ACME HTTP-01
// path (ConfigMap no-tls-redirect-locations) is never redirected: cert-manager's solver answers
// over HTTP. With use-port-in-redirects the HTTPS listener's port is always added.

import { CONTINUE, RESPOND } from '../request-view.ts';
import type { Step, StepFactory } from '../pipeline.ts';
import { hostOnly } from './host.ts';

const sslRedirect: Step = (req, t, d) => {
  if (req.scheme !== 'http') return CONTINUE;
  const tls = t.policy.tls;
  if (!tls.forceSslRedirect && !(tls.sslRedirect && t.server.server.tls !== null)) return CONTINUE;
  if (t.cfg['use-forwarded-headers']) {
    const proto = req.header('x-forwarded-proto');
    if (proto !== null && proto.trim().toLowerCase() === 'https') return CONTINUE;
  }
  const skip = t.cfg['no-tls-redirect-locations'];
  for (let i = 0; i < skip.length; i++) if (req.path.startsWith(skip[i]!)) return CONTINUE;
  let uri = req.rawPath + req.query;
  if (!tls.preserveTrailingSlash && uri.length > 0 && uri.charCodeAt(uri.length - 1) === 47) uri = uri.slice(0, -1);
  const host = hostOnly(req.host);
  const port = t.policy.redirect.usePort ? `:${req.httpsPort ?? 443}` : '';
  d.redirect(t.cfg['http-redirect-code'], `https://${host}${port}${uri}`);
  return RESPOND;
};

export const sslRedirectStep: StepFactory = (t) =>
  t.policy.tls.forceSslRedirect || (t.policy.tls.sslRedirect && t.server.server.tls !== null) ? sslRedirect : null;
