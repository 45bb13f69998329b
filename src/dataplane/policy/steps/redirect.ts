// permanent-redirect / temporal-redirect: nginx `return <code> <url>` in the location's rewrite
// phase (before the SSL redirect and any access check). For 301/302/303/307/308 the URL is the
// Location; a URL starting with "/" is made absolute with the request's scheme and host unless
// relative-redirects is on (nginx absolute_redirect), with the listening port when
// use-port-in-redirects is on and it is not the scheme's default (port_in_redirect). For other
// codes nginx sends the URL as the response text.

import { RESPOND } from '../request-view.ts';
import type { Step, StepFactory } from '../pipeline.ts';
import { hostOnly } from './host.ts';

const redirect: Step = (req, t, d) => {
  const r = t.policy.redirect;
  const url = r.url!;
  const code = r.code;
  if (code !== 301 && code !== 302 && code !== 303 && code !== 307 && code !== 308) {
    d.status = code;
    if (code !== 304) {
      d.body = url;
      d.contentType = 'text/html';
    }
    return RESPOND;
  }
  if (url.charCodeAt(0) !== 47 || r.relative) {
    d.redirect(code, url);
    return RESPOND;
  }
  const host = req.host !== '' ? hostOnly(req.host) : t.server.server.host;
  const port = req.serverPort;
  const showPort = r.usePort && port !== (req.scheme === 'https' ? 443 : 80);
  d.redirect(code, `${req.scheme}://${host}${showPort ? `:${port}` : ''}${url}`);
  return RESPOND;
};

export const redirectStep: StepFactory = (t) => (t.policy.redirect.url !== null && t.policy.denied === null ? redirect : null);
