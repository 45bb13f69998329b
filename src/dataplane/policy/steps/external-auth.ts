// auth-url (or the ConfigMap global-auth-url): asks the auth service before proxying, as
// ingress-nginx's auth_request location does. 2xx lets the request through with the
// auth-response-headers copied onto it; 401 redirects to auth-signin (302, with the original URL
// in the redirect parameter) or answers 401 with the service's WWW-Authenticate; 403 answers 403;
// anything else, and a failed or timed-out subrequest, answers 500. Set-Cookie from the answer
// goes to the client on success statuses (always, with auth-always-set-cookie). Asynchronous:
// the client's request body waits in the connection's queue meanwhile.

import type { ExternalAuthPolicy } from '../../../compile/policy.ts';
import { cacheLookup, cacheStore } from '../../auth/external/cache.ts';
import { sendAuthRequest, type AuthAnswer } from '../../auth/external/client.ts';
import { subrequestHeaders, type SubrequestSpec } from '../../auth/external/subrequest.ts';
import { compileTemplate, escapeUriComponent, type Template } from '../../auth/external/template.ts';
import type { Target } from '../../router.ts';
import { startAsync, takeResult } from '../async.ts';
import { isNoAuthLocation } from '../auth-locations.ts';
import type { Decision } from '../decision.ts';
import { CONTINUE, RESPOND, type RequestView, type StepResult } from '../request-view.ts';
import type { Step, StepFactory } from '../pipeline.ts';
import { UNAUTHORIZED_BODY } from './basic-auth.ts';

interface ExtAuthState {
  policy: ExternalAuthPolicy;
  url: Template;
  method: string;
  spec: SubrequestSpec;
  /** auth-signin with the redirect parameter appended when absent, or null. */
  signin: { url: Template; param: string | null } | null;
  /** auth-response-headers: configured name and the answer's header it comes from. */
  responseHeaders: { name: string; lookup: string }[];
  cacheKey: Template | null;
  cacheScope: string;
}

type Outcome = { answer: AuthAnswer; error: null } | { answer: null; error: string };

const STATE = 'external-auth';

function values(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The answer's header for an auth-response-headers name ("-" and "_" are the same to nginx). */
function answerHeader(a: AuthAnswer, lookup: string): string {
  const direct = a.headers[lookup];
  if (direct !== undefined) return values(direct).join(', ');
  for (const k of Object.keys(a.headers)) if (k.replaceAll('_', '-') === lookup) return values(a.headers[k]).join(', ');
  return '';
}

function signinLocation(st: ExtAuthState, req: RequestView, t: Target): string {
  const s = st.signin!;
  let url = s.url.evaluate(req, t);
  if (s.param !== null) {
    // buildAuthSignURL: "<param>=$pass_access_scheme://$http_host$escaped_request_uri".
    const rd = `${req.forwardedProto}://${req.host}${escapeUriComponent(req.rawPath + req.query)}`;
    url += `${url.includes('?') ? '&' : '?'}${s.param}=${rd}`;
  }
  return url;
}

function decide(o: Outcome, st: ExtAuthState, req: RequestView, t: Target, d: Decision): StepResult {
  if (o.answer === null) {
    d.status = 500;
    d.error = o.error;
    return RESPOND;
  }
  const a = o.answer;
  let cookies = '';
  for (const c of values(a.headers['set-cookie'])) cookies += `Set-Cookie: ${c}\r\n`;
  const always = st.policy.alwaysSetCookie;
  if (a.status >= 200 && a.status < 300) {
    for (const h of st.responseHeaders) {
      d.drop(h.name.toLowerCase());
      const v = answerHeader(a, h.lookup);
      if (v !== '') d.addHeaders += `${h.name}: ${v}\r\n`;
    }
    if (always) d.responseHeaders += cookies;
    else d.responseHeadersOk += cookies;
    return CONTINUE;
  }
  if (a.status === 401 && st.signin !== null) {
    // error_page 401 → the sign-in location: 302, with the auth cookie (302 is a success status for add_header).
    d.redirect(302, signinLocation(st, req, t));
    d.headers += cookies;
    return RESPOND;
  }
  if (always) d.headers += cookies;
  if (a.status === 401) {
    d.status = 401;
    for (const w of values(a.headers['www-authenticate'])) d.headers += `WWW-Authenticate: ${w}\r\n`;
    d.body = UNAUTHORIZED_BODY;
    d.contentType = 'text/html';
    return RESPOND;
  }
  if (a.status === 403) {
    d.status = 403;
    return RESPOND;
  }
  d.status = 500;
  d.error = `auth service answered ${a.status}`;
  return RESPOND;
}

function ask(st: ExtAuthState, req: RequestView, t: Target, cacheKey: string | null): Promise<Outcome> | Outcome {
  const text = st.url.evaluate(req, t);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { answer: null, error: `auth-url ${JSON.stringify(text)} is not a valid URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { answer: null, error: `auth-url ${JSON.stringify(text)} is not http or https` };
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const headers = subrequestHeaders(req, t, st.spec, host);
  return sendAuthRequest(url, st.method, headers).then(
    (answer): Outcome => {
      if (cacheKey !== null) cacheStore(cacheKey, answer, st.policy.cacheDuration, Date.now());
      return { answer, error: null };
    },
    (err: Error & { code?: string }): Outcome => ({ answer: null, error: `auth request to ${url.origin} failed: ${err.code ?? err.message}` }),
  );
}

const externalAuth: Step = (req, t, d, host) => {
  const st = t.state.get(STATE) as ExtAuthState;
  const done = takeResult<Outcome>(externalAuth, d);
  if (done !== undefined) return decide(done, st, req, t, d);
  let cacheKey: string | null = null;
  if (st.cacheKey !== null) {
    cacheKey = `${st.cacheScope}\0${st.cacheKey.evaluate(req, t)}`;
    const hit = cacheLookup(cacheKey, Date.now());
    if (hit !== null) return decide({ answer: hit, error: null }, st, req, t, d);
  }
  const r = ask(st, req, t, cacheKey);
  if (r instanceof Promise) return startAsync(externalAuth, d, host, r);
  return decide(r, st, req, t, d);
};

export const externalAuthStep: StepFactory = (t: Target) => {
  const p = t.policy.externalAuth;
  if (p === null || isNoAuthLocation(t)) return null;
  // The global auth has nothing to protect where nothing is served (built-in 404).
  if (p.global && t.notFound) return null;
  const setHeaders = p.proxySetHeaders.map(([n, v]): [string, Template] => [n, compileTemplate(v)]);
  const param = p.signin === '' ? null : signinParam(p.signin, p.signinRedirectParam);
  const state: ExtAuthState = {
    policy: p,
    url: compileTemplate(p.url),
    method: p.method === '' ? 'GET' : p.method,
    spec: {
      methodSet: p.method !== '',
      requestRedirect: p.requestRedirect === '' ? null : compileTemplate(p.requestRedirect),
      setHeaders,
      setNames: new Set(setHeaders.map(([n]) => n.toLowerCase())),
    },
    signin: p.signin === '' ? null : { url: compileTemplate(p.signin), param },
    responseHeaders: p.responseHeaders.map((name) => ({ name, lookup: name.toLowerCase().replaceAll('_', '-') })),
    cacheKey: p.cacheKey === '' ? null : compileTemplate(p.cacheKey),
    cacheScope: `${t.server.server.host}\0${t.route?.path ?? '/'}\0${t.route?.pathType ?? 'Prefix'}`,
  };
  t.state.set(STATE, state);
  return externalAuth;
};

/** buildAuthSignURL: the redirect parameter is appended unless the sign-in URL already has it. */
function signinParam(signin: string, param: string): string | null {
  const q = signin.indexOf('?');
  if (q < 0) return param;
  for (const kv of signin.slice(q + 1).split('&')) {
    const eq = kv.indexOf('=');
    if (eq > 0 && kv.slice(0, eq) === param && kv.slice(eq + 1) !== '') return null;
  }
  return param;
}
