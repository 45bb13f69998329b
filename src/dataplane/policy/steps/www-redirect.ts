// from-to-www-redirect: the extra server ingress-nginx creates for the other name (www.<host> or
// <host> without www) answers every request with the ConfigMap http-redirect-code (308) to
// `<scheme>://<host>:<port><request URI>`, one trailing "/" of the request URI dropped
// (ngx_srv_redirect.lua). X-Forwarded-Proto/-Port count when use-forwarded-headers is on.
// ingress-nginx takes the port from the listening socket; sluice takes it from the Host header
// (else the scheme's default), which is the same on a standard install and stays right when
// sluice listens on another port behind a Service.

import { RESPOND } from '../request-view.ts';
import type { Step, StepFactory } from '../pipeline.ts';
import { portOf } from './host.ts';

const wwwRedirect: Step = (req, t, d) => {
  let scheme: string = req.scheme;
  let port: string | null = null;
  if (t.cfg['use-forwarded-headers']) {
    const p = req.header('x-forwarded-proto');
    if (p !== null && p !== '') scheme = p;
    const fp = req.header('x-forwarded-port');
    if (fp !== null && fp !== '') port = fp;
  }
  if (port === null) port = portOf(req.host) ?? (scheme === 'https' ? '443' : '80');
  let uri = req.rawPath + req.query;
  if (uri.charCodeAt(uri.length - 1) === 47) uri = uri.slice(0, -1);
  d.redirect(t.cfg['http-redirect-code'], `${scheme}://${t.server.redirectTo}:${port}${uri}`);
  return RESPOND;
};

export const wwwRedirectStep: StepFactory = (t) => (t.server.redirectTo !== null ? wwwRedirect : null);
