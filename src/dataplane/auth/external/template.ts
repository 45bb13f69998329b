// Values with nginx variables (auth-url, auth-signin, auth-cache-key, auth-proxy-set-headers),
// compiled once per route into a list of literal and variable parts and evaluated per request
// against the RequestView. The variables are those of ../../../compile/nginx-vars.ts.

import { parseTemplate } from '../../../compile/nginx-vars.ts';
import type { RequestView } from '../../policy/request-view.ts';
import type { Target } from '../../router.ts';
import { parseBasicAuthorization } from '../basic-auth.ts';

type Getter = (req: RequestView, t: Target) => string;

/** $request_uri percent-encoded for a query parameter: everything but RFC 3986 unreserved. */
export function escapeUriComponent(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const unreserved = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95 || c === 126;
    out += unreserved ? s[i] : `%${(c & 0xff).toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const requestUri = (req: RequestView): string => req.rawPath + req.query;

function cookieValue(header: string | null, name: string): string {
  if (header === null) return '';
  for (const part of header.split(/;\s*/)) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === name) return part.slice(eq + 1).trim();
  }
  return '';
}

function argValue(query: string, name: string): string {
  if (query.length < 2) return '';
  for (const part of query.slice(1).split('&')) {
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    if (k.toLowerCase() === name) return eq < 0 ? '' : part.slice(eq + 1);
  }
  return '';
}

const FIXED: Record<string, Getter> = {
  scheme: (req) => req.scheme,
  pass_access_scheme: (req) => req.forwardedProto,
  host: (req) => req.hostname,
  http_host: (req) => req.host,
  best_http_host: (req, t) => {
    const xfh = t.cfg['use-forwarded-headers'] ? req.header('x-forwarded-host') : null;
    if (xfh === null || xfh === '') return req.host;
    const comma = xfh.indexOf(',');
    return comma < 0 ? xfh : xfh.slice(0, comma);
  },
  server_port: (req) => String(req.serverPort),
  request_uri: requestUri,
  escaped_request_uri: (req) => escapeUriComponent(requestUri(req)),
  uri: (req) => req.path,
  args: (req) => req.query.slice(1),
  query_string: (req) => req.query.slice(1),
  is_args: (req) => (req.query.length > 1 ? '?' : ''),
  request_method: (req) => req.method,
  remote_addr: (req) => req.clientIp,
  remote_user: (req) => parseBasicAuthorization(req.header('authorization'))?.user ?? '',
  request_id: (req) => req.requestId,
  req_id: (req) => req.requestId,
  namespace: (_req, t) => t.namespace,
  ingress_name: (_req, t) => t.ingress,
  service_name: (_req, t) => t.service,
  service_port: (_req, t) => t.servicePort,
  location_path: (_req, t) => t.path,
};

function getter(name: string): Getter {
  const fixed = FIXED[name];
  if (fixed !== undefined) return fixed;
  if (name.startsWith('http_')) {
    const header = name.slice(5).replaceAll('_', '-');
    return (req) => req.header(header) ?? '';
  }
  if (name.startsWith('cookie_')) {
    const cookie = name.slice(7);
    return (req) => cookieValue(req.header('cookie'), cookie);
  }
  if (name.startsWith('arg_')) {
    const arg = name.slice(4);
    return (req) => argValue(req.query, arg);
  }
  // Compile refuses other names; an unknown one here evaluates like an unset nginx variable.
  return () => '';
}

export interface Template {
  /** True when the value has no variables (evaluate returns the literal). */
  readonly constant: boolean;
  evaluate(req: RequestView, t: Target): string;
}

export function compileTemplate(value: string): Template {
  const parsed = parseTemplate(value);
  if (!parsed.ok || !parsed.variables) return { constant: true, evaluate: () => value };
  const parts = parsed.parts.map((p) => (typeof p === 'string' ? p : getter(p.v)));
  return {
    constant: false,
    evaluate(req, t) {
      let out = '';
      for (const p of parts) out += typeof p === 'string' ? p : p(req, t);
      return out;
    },
  };
}
