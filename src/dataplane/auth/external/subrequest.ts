// The auth subrequest as ingress-nginx's generated auth location sends it (nginx.tmpl,
// "location = /_external-auth-..."): a GET (or auth-method) without body that carries the
// client's headers, except those nginx's proxy module replaces or clears, plus the headers the
// location sets.

import type { RequestView } from '../../policy/request-view.ts';
import type { Target } from '../../router.ts';
import type { Template } from './template.ts';

/** Client headers not passed to the auth service (lower case). */
const NOT_PASSED = new Set([
  // Set or cleared by nginx's proxy module or the auth location itself.
  'host',
  'connection',
  'keep-alive',
  'te',
  'transfer-encoding',
  'content-length',
  'expect',
  'upgrade',
  'x-forwarded-proto',
  'x-request-id',
  'x-original-url',
  'x-original-method',
  'x-original-uri',
  'x-scheme',
  'x-sent-from',
  'x-real-ip',
  'x-forwarded-for',
  'x-auth-request-redirect',
  // Not sent anywhere by sluice (httpoxy); nginx would pass it to the auth service.
  'proxy',
  'proxy-connection',
]);

export interface SubrequestSpec {
  /** auth-method was set: also send X-Original-URI and X-Scheme (ingress-nginx quirk). */
  methodSet: boolean;
  requestRedirect: Template | null;
  /** auth-proxy-set-headers: [name, value]. */
  setHeaders: readonly [string, Template][];
  /** Lower-case names of setHeaders (they replace client headers of the same name). */
  setNames: ReadonlySet<string>;
}

/** The flat [name, value, ...] header list of the auth subrequest. */
export function subrequestHeaders(req: RequestView, t: Target, spec: SubrequestSpec, authHost: string): string[] {
  const out: string[] = ['Host', authHost];
  for (const [name, value] of req.headerList()) {
    const lower = name.toLowerCase();
    // nginx ignores header names with "_" (underscores_in_headers off).
    if (NOT_PASSED.has(lower) || lower.includes('_') || spec.setNames.has(lower)) continue;
    out.push(name, value);
  }
  const requestUri = req.rawPath + req.query;
  if (req.requestId !== '') out.push('X-Request-ID', req.requestId);
  if (spec.methodSet) out.push('X-Original-URI', requestUri, 'X-Scheme', req.forwardedProto);
  out.push(
    'X-Original-URL',
    `${req.scheme}://${req.host}${requestUri}`,
    'X-Original-Method',
    req.method,
    'X-Sent-From',
    'nginx-ingress-controller',
    'X-Real-IP',
    req.clientIp,
    'X-Forwarded-For',
    req.forwardedFor,
    'X-Auth-Request-Redirect',
    spec.requestRedirect !== null ? spec.requestRedirect.evaluate(req, t) : requestUri,
  );
  for (const [name, tpl] of spec.setHeaders) {
    const v = tpl.evaluate(req, t);
    // proxy_set_header with an empty value sends nothing.
    if (v !== '') out.push(name, v);
  }
  return out;
}
