// auth-url and its companions (ingress-nginx annotations/authreq), and enable-global-auth
// (annotations/authreqglobal): which external authentication a path uses. An Ingress's own
// auth-url replaces the ConfigMap global-auth-url; enable-global-auth: "false" opts out of it.

import {
  checkAuthMethod,
  checkAuthUrl,
  checkCacheKey,
  checkRedirectParam,
  checkRequestRedirect,
  parseCacheDurations,
  parseResponseHeaders,
  DEFAULT_CACHE_DURATION,
} from '../../auth/external.ts';
import { parseTemplate } from '../../nginx-vars.ts';
import { GLOBAL_AUTH_DENIED } from '../../policy.ts';
import { bool } from '../../values.ts';
import type { AnnotationContext, AnnotationFamily } from '../family.ts';
import type { AnnotationReader } from '../reader.ts';
import type { Ingress } from '../../../model/k8s.ts';

const HEADER_NAME = /^[a-zA-Z\d\-_]+$/;
const CM_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Reads a key; reports `check`'s complaint; returns the trimmed value, '' when absent, null when invalid. */
function checked(r: AnnotationReader, key: string, check: (v: string) => string | null): string | null {
  const raw = r.raw(key);
  if (raw === undefined) return '';
  const v = raw.trim();
  const problem = check(v);
  if (problem !== null) {
    r.error(key, raw, problem);
    return null;
  }
  return v;
}

/** auth-proxy-set-headers: a ConfigMap (same namespace) of header name → value template. */
function proxySetHeaders(r: AnnotationReader, ing: Ingress, ctx: AnnotationContext): [string, string][] | null {
  const raw = r.raw('auth-proxy-set-headers');
  if (raw === undefined || raw.trim() === '') return [];
  const v = raw.trim();
  const ns = ing.metadata.namespace!;
  const slash = v.indexOf('/');
  const cmNs = slash < 0 ? ns : v.slice(0, slash);
  const name = slash < 0 ? v : v.slice(slash + 1);
  if (!CM_NAME.test(cmNs) || !CM_NAME.test(name)) {
    r.error('auth-proxy-set-headers', raw, 'expected the name of a ConfigMap in the Ingress namespace (or namespace/name)');
    return null;
  }
  if (cmNs !== ns) {
    r.error('auth-proxy-set-headers', raw, `the ConfigMap must be in the Ingress namespace ${ns}`);
    return null;
  }
  const key = `${cmNs}/${name}`;
  ctx.referencedConfigMaps?.add(key);
  const cm = ctx.snap.configMaps.get(key);
  if (!cm) {
    r.error('auth-proxy-set-headers', raw, `ConfigMap ${key} not found`);
    return null;
  }
  const out: [string, string][] = [];
  for (const h of Object.keys(cm.data ?? {}).sort()) {
    const value = cm.data![h]!;
    if (!HEADER_NAME.test(h)) {
      r.error('auth-proxy-set-headers', raw, `ConfigMap ${key} has an invalid header name ${JSON.stringify(h)} (letters, digits, "-" and "_")`);
      return null;
    }
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) {
      r.error('auth-proxy-set-headers', raw, `ConfigMap ${key} key ${h}: the value has a control character`);
      return null;
    }
    const t = parseTemplate(value);
    if (!t.ok) {
      r.error('auth-proxy-set-headers', raw, `ConfigMap ${key} key ${h}: ${t.error}`);
      return null;
    }
    out.push([h, value]);
  }
  return out;
}

export const externalAuthFamily: AnnotationFamily = {
  name: 'external-auth',
  apply(r, p, _server, ing, ctx) {
    const enableGlobal = r.parse('enable-global-auth', bool());
    const urlRaw = r.raw('auth-url');
    if (urlRaw === undefined) {
      if (enableGlobal === false && p.externalAuth?.global) p.externalAuth = null;
      if (enableGlobal === false && p.denied === GLOBAL_AUTH_DENIED) p.denied = null;
      return;
    }
    const before = r.invalid.length;
    const url = urlRaw.trim();
    const urlProblem = checkAuthUrl(url, 'auth-url');
    if (urlProblem !== null) r.error('auth-url', urlRaw, urlProblem);
    const method = checked(r, 'auth-method', checkAuthMethod);
    const signin = checked(r, 'auth-signin', (v) => checkAuthUrl(v, 'auth-signin'));
    const param = checked(r, 'auth-signin-redirect-param', checkRedirectParam);
    const headersRaw = r.raw('auth-response-headers');
    const headers = headersRaw === undefined ? [] : parseResponseHeaders(headersRaw);
    if (typeof headers === 'string') r.error('auth-response-headers', headersRaw!, headers);
    const requestRedirect = checked(r, 'auth-request-redirect', checkRequestRedirect);
    const cacheKey = checked(r, 'auth-cache-key', checkCacheKey);
    const durRaw = r.raw('auth-cache-duration');
    const durations = parseCacheDurations(durRaw ?? DEFAULT_CACHE_DURATION);
    if (typeof durations === 'string') r.error('auth-cache-duration', durRaw!, durations);
    const always = r.parse('auth-always-set-cookie', bool());
    const setHeaders = proxySetHeaders(r, ing, ctx);
    if (r.invalid.length > before || method === null || signin === null || param === null || requestRedirect === null || cacheKey === null) return;
    if (typeof headers === 'string' || typeof durations === 'string' || setHeaders === null) return;
    p.externalAuth = {
      global: false,
      url,
      method,
      signin,
      signinRedirectParam: param === '' ? 'rd' : param,
      responseHeaders: headers,
      requestRedirect,
      cacheKey,
      cacheDuration: durations,
      alwaysSetCookie: always ?? false,
      proxySetHeaders: setHeaders,
    };
    // The Ingress's own auth-url replaces the global one, so a broken global config does not apply.
    if (p.denied === GLOBAL_AUTH_DENIED) p.denied = null;
  },
};
