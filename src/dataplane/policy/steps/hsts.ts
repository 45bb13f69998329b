// Strict-Transport-Security on HTTPS responses of hosts with a certificate (ConfigMap hsts,
// hsts-max-age, hsts-include-subdomains, hsts-preload; on by default as in ingress-nginx).

import { CONTINUE } from '../request-view.ts';
import type { Step, StepFactory } from '../pipeline.ts';

const headers = new WeakMap<object, string>();

const hsts: Step = (req, t, d) => {
  if (req.scheme !== 'https') return CONTINUE;
  let h = headers.get(t.cfg);
  if (h === undefined) {
    const c = t.cfg;
    h = `Strict-Transport-Security: max-age=${c['hsts-max-age']}${c['hsts-include-subdomains'] ? '; includeSubDomains' : ''}${c['hsts-preload'] ? '; preload' : ''}\r\n`;
    headers.set(c, h);
  }
  d.responseHeaders += h;
  return CONTINUE;
};

// Only for hosts with their own certificate (as ingress-nginx: not for hosts on the default one).
export const hstsStep: StepFactory = (t) => (t.cfg.hsts && t.server.server.tls !== null && t.server.server.tls.certificate !== null ? hsts : null);
