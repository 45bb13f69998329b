// External authentication (auth-url and the ConfigMap global-auth-url family) as plain policy
// data, with ingress-nginx's validation (internal/ingress/annotations/authreq/main.go and
// controller/template/configmap.go) plus the checks `nginx -t` would make on the generated
// directives (unknown variables, proxy_cache_valid syntax).

import { parseTemplate } from '../nginx-vars.ts';

/** One auth-cache-duration entry: statuses (empty = any) cached for `seconds`. */
export interface CacheValidity {
  statuses: number[];
  seconds: number;
}

export interface ExternalAuthPolicy {
  /** From the ConfigMap global-auth-url rather than the Ingress's own auth-url. */
  global: boolean;
  /** Auth service URL; may contain supported nginx variables. */
  url: string;
  /** auth-method; '' = GET, and X-Original-URI / X-Scheme are not sent (as ingress-nginx). */
  method: string;
  /** auth-signin; '' = answer 401 instead of redirecting. */
  signin: string;
  signinRedirectParam: string;
  /** auth-response-headers: copied from the auth answer to the proxied request. */
  responseHeaders: string[];
  /** auth-request-redirect; '' = the request URI. */
  requestRedirect: string;
  /** auth-cache-key; '' = no caching. */
  cacheKey: string;
  cacheDuration: CacheValidity[];
  alwaysSetCookie: boolean;
  /** auth-proxy-set-headers: extra headers sent to the auth service, [name, value template]. */
  proxySetHeaders: [string, string][];
}

export const AUTH_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE'] as const;
export const DEFAULT_CACHE_DURATION = '200 202 401 5m';
const HEADER_NAME = /^[a-zA-Z\d\-_]+$/;

/** auth-url / auth-signin: an http(s) URL whose host has no empty label; supported variables allowed. */
export function checkAuthUrl(value: string, what: string): string | null {
  const v = value.trim();
  if (v === '') return `expected an http or https URL for ${what}`;
  // ingress-nginx's URLWithNginxVariableRegex: no "%", "#", "@", quotes, braces or spaces.
  if (!/^[A-Za-z0-9\-._~/:,?&=$]*$/.test(v)) return `expected an http or https URL for ${what} made of letters, digits and - . _ ~ / : , ? & = $ (ingress-nginx's character set)`;
  const t = parseTemplate(v);
  if (!t.ok) return t.error;
  // Check the URL's shape with each variable replaced by a harmless placeholder.
  let probe = '';
  for (const p of t.parts) probe += typeof p === 'string' ? p : p.v === 'scheme' || p.v === 'pass_access_scheme' ? 'http' : 'x';
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/.exec(probe);
  if (!m) return `expected an http or https URL for ${what} (scheme://host/path)`;
  if (!/^https?$/i.test(m[1]!)) return `${what} must use http or https, not ${m[1]}`;
  const host = m[2]!.replace(/^[^@]*@/, '');
  if (host === '' || host.startsWith(':')) return `${what} has an empty host`;
  if (host.includes('..')) return `${what} has an invalid host (empty label)`;
  try {
    new URL(probe);
  } catch {
    return `expected an http or https URL for ${what}`;
  }
  return null;
}

/** auth-method: exact method names (the parser's ValidMethod). */
export function checkAuthMethod(value: string): string | null {
  return (AUTH_METHODS as readonly string[]).includes(value) ? null : `expected one of ${AUTH_METHODS.join(', ')}`;
}

/** auth-response-headers: comma-separated header names of letters, digits, "-" and "_". */
export function parseResponseHeaders(value: string): string[] | string {
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const h = raw.trim();
    if (h === '') continue;
    if (!HEADER_NAME.test(h)) return `header name ${JSON.stringify(h)} is invalid (expected letters, digits, "-" and "_", comma-separated)`;
    out.push(h);
  }
  return out;
}

const TIME_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, M: 2592000, y: 31536000 };

/**
 * auth-cache-duration: comma-separated entries "<status codes...> <time>", like nginx's
 * proxy_cache_valid; an entry without codes covers 200, 301 and 302; "any" covers every status.
 */
export function parseCacheDurations(value: string): CacheValidity[] | string {
  const out: CacheValidity[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const words = entry.split(/\s+/);
    const time = words.pop()!;
    const m = /^(\d+)(ms|s|m|h|d|w|M|y)$/.exec(time);
    if (!m) return `entry ${JSON.stringify(entry)} must end with a time such as 30s, 5m or 1h (units ms s m h d w M y)`;
    const statuses: number[] = [];
    let any = false;
    for (const w of words) {
      if (w === 'any') any = true;
      else if (/^[1-5]\d\d$/.test(w)) statuses.push(Number(w));
      else return `entry ${JSON.stringify(entry)}: ${JSON.stringify(w)} is not a status code (expected "<codes...> <time>", e.g. "200 202 401 5m")`;
    }
    if (any && statuses.length > 0) return `entry ${JSON.stringify(entry)}: "any" cannot be combined with status codes`;
    out.push({ statuses: any ? [] : statuses.length > 0 ? statuses : [200, 301, 302], seconds: Number(m[1]) * TIME_UNITS[m[2]!]! });
  }
  if (out.length === 0) return parseCacheDurations(DEFAULT_CACHE_DURATION) as CacheValidity[];
  return out;
}

/** auth-cache-key: letters, digits, "-", "_" and supported variables (ingress-nginx's NGINXVariable check). */
export function checkCacheKey(value: string): string | null {
  if (!/^[A-Za-z0-9\-_${}]*$/.test(value)) return 'expected letters, digits, "-", "_" and nginx variables such as $remote_user$http_authorization';
  const t = parseTemplate(value);
  return t.ok ? null : t.error;
}

/** auth-signin-redirect-param: a query parameter name. */
export function checkRedirectParam(value: string): string | null {
  return /^[A-Za-z0-9\-._~]+$/.test(value) ? null : 'expected a query parameter name (letters, digits, - . _ ~)';
}

/** auth-request-redirect: URL characters only (ingress-nginx's URLIsValidRegex); variables allowed. */
export function checkRequestRedirect(value: string): string | null {
  if (!/^[A-Za-z0-9\-._~/:,?&=$]*$/.test(value)) return 'expected a URL or path (letters, digits and - . _ ~ / : , ? & =)';
  const t = parseTemplate(value);
  return t.ok ? null : t.error;
}
