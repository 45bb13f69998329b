// affinity: cookie and session-cookie-* (sessionaffinity/main.go; cookie written as
// balancer/sticky.lua does). The session-cookie-* keys are only read with affinity: cookie; on
// their own they have no effect (reported as such by unread.ts).

import { bool, oneOf } from '../../values.ts';
import type { AffinityPolicy } from '../../policy.ts';
import type { AnnotationFamily } from '../family.ts';

export const DEFAULT_COOKIE_NAME = 'INGRESSCOOKIE';

/** RFC 6265 cookie-name (a token), which is also what ingress-nginx's character check leaves possible. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A cookie Path: starts with "/", no controls, no ";" or ",". */
const COOKIE_PATH = /^\/[\x21-\x2b\x2d-\x3a\x3c-\x7e]*$/;
/** A cookie Domain: DNS labels, optionally with a leading dot. */
const COOKIE_DOMAIN = /^\.?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** Seconds for Expires / Max-Age: an integer (ingress-nginx accepts a leading minus). */
const SECONDS = /^(?:0|-?[1-9]\d{0,9})$/;

const SAMESITE: Record<string, 'None' | 'Lax' | 'Strict'> = { none: 'None', lax: 'Lax', strict: 'Strict' };

function seconds(r: Parameters<AnnotationFamily['apply']>[0], key: string): number | null {
  const v = r.raw(key);
  if (v === undefined) return null;
  const t = v.trim();
  if (!SECONDS.test(t)) {
    r.error(key, v, 'expected a whole number of seconds, such as 172800');
    return null;
  }
  return Number(t);
}

export const affinityFamily: AnnotationFamily = {
  name: 'affinity',
  apply(r, p) {
    const type = r.raw('affinity');
    if (type === undefined) return;
    if (type.trim() !== 'cookie') {
      r.error('affinity', type, 'expected "cookie" (the only affinity type)');
      return;
    }
    const a: AffinityPolicy = {
      mode: 'balanced',
      cookieName: DEFAULT_COOKIE_NAME,
      path: null,
      domain: null,
      expires: null,
      maxAge: null,
      sameSite: null,
      conditionalSameSiteNone: false,
      secure: false,
      partitioned: false,
      changeOnFailure: false,
    };
    const mode = r.parse('affinity-mode', oneOf(['balanced', 'persistent']));
    if (mode !== undefined) a.mode = mode;
    const name = r.raw('session-cookie-name');
    if (name !== undefined) {
      if (COOKIE_NAME.test(name.trim())) a.cookieName = name.trim();
      else r.error('session-cookie-name', name, 'expected a cookie name (letters, digits and !#$%&\'*+-.^_`|~)');
    }
    const path = r.raw('session-cookie-path');
    if (path !== undefined) {
      if (COOKIE_PATH.test(path.trim())) a.path = path.trim();
      else r.error('session-cookie-path', path, 'expected a URL path starting with "/", without spaces, ";" or ","');
    }
    const domain = r.raw('session-cookie-domain');
    if (domain !== undefined) {
      if (COOKIE_DOMAIN.test(domain.trim())) a.domain = domain.trim();
      else r.error('session-cookie-domain', domain, 'expected a domain name such as example.com');
    }
    a.expires = seconds(r, 'session-cookie-expires');
    a.maxAge = seconds(r, 'session-cookie-max-age');
    const ss = r.raw('session-cookie-samesite');
    if (ss !== undefined) {
      const canonical = SAMESITE[ss.trim().toLowerCase()];
      if (canonical !== undefined) a.sameSite = canonical;
      else r.error('session-cookie-samesite', ss, 'expected None, Lax or Strict');
    }
    const cond = r.parse('session-cookie-conditional-samesite-none', bool());
    if (cond !== undefined) a.conditionalSameSiteNone = cond;
    const secure = r.parse('session-cookie-secure', bool());
    if (secure !== undefined) a.secure = secure;
    const part = r.parse('session-cookie-partitioned', bool());
    if (part !== undefined) a.partitioned = part;
    const cof = r.parse('session-cookie-change-on-failure', bool());
    if (cof !== undefined) a.changeOnFailure = cof;
    // A regex location is no cookie path: ingress-nginx logs this and writes the pattern anyway.
    if (a.path === null && p.rewrite.useRegex) {
      r.warn('affinity', 'InvalidAnnotation', 'session-cookie-path should be set when use-regex is true: without it the cookie Path is the path pattern itself, which browsers match literally, so sessions are not sticky');
    }
    p.affinity = a;
  },
};
