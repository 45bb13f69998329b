// Checks on ConfigMap values that parse but may still be wrong: CIDR lists (bad entries are
// skipped, and reported) and the global-auth-* keys (reported; the routes they protect are
// denied until fixed, see auth/global.ts).

import { parseCidr } from '../net/cidr.ts';
import { checkAuthMethod, checkAuthUrl, checkCacheKey, checkRedirectParam, checkRequestRedirect, parseCacheDurations, parseResponseHeaders } from './auth/external.ts';

/** Reports the entries of a CIDR list that are not IP addresses or CIDRs. */
export function invalidCidrs(list: string[]): string | null {
  const bad = list.filter((e) => parseCidr(e) === null);
  if (bad.length === 0) return null;
  return `${bad.map((b) => JSON.stringify(b)).join(', ')} ${bad.length > 1 ? 'are not IP addresses or CIDRs' : 'is not an IP address or CIDR'} (expected e.g. 10.0.0.0/8, 192.168.1.7, 2001:db8::/32); ${bad.length > 1 ? 'those entries are' : 'that entry is'} ignored`;
}

/** The problem with one global-auth-* value, or null (empty values mean "not set"). */
export function globalAuthKeyProblem(key: string, value: string): string | null {
  const p = globalAuthValueProblem(key, value);
  return p === null ? null : `${p}; routes under global-auth-url answer 503 until it is fixed`;
}

/** The same check without the consequence (auth/global.ts builds its denial reason from it). */
export function globalAuthValueProblem(key: string, value: string): string | null {
  const v = value.trim();
  if (v === '') return null;
  switch (key) {
    case 'global-auth-url':
      return checkAuthUrl(v, 'global-auth-url');
    case 'global-auth-signin':
      return checkAuthUrl(v, 'global-auth-signin');
    case 'global-auth-method':
      return checkAuthMethod(v);
    case 'global-auth-signin-redirect-param':
      return checkRedirectParam(v);
    case 'global-auth-response-headers': {
      const r = parseResponseHeaders(v);
      return typeof r === 'string' ? r : null;
    }
    case 'global-auth-request-redirect':
      return checkRequestRedirect(v);
    case 'global-auth-cache-key':
      return checkCacheKey(v);
    case 'global-auth-cache-duration': {
      const r = parseCacheDurations(v);
      return typeof r === 'string' ? r : null;
    }
    default:
      return null;
  }
}
