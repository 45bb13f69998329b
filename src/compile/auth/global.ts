// The ConfigMap global-auth-url family as an ExternalAuthPolicy, applied to every route unless
// its Ingress sets enable-global-auth: "false" or has its own auth-url (template.go
// shouldApplyGlobalAuth). A bad global-auth-* value denies the routes it would protect (503)
// instead of dropping the protection, as ingress-nginx does.

import type { GlobalConfig } from '../config.ts';
import { globalAuthValueProblem } from '../config-checks.ts';
import { parseCacheDurations, parseResponseHeaders, type CacheValidity, type ExternalAuthPolicy } from './external.ts';

export const GLOBAL_AUTH_KEYS = [
  'global-auth-url',
  'global-auth-method',
  'global-auth-signin',
  'global-auth-signin-redirect-param',
  'global-auth-response-headers',
  'global-auth-request-redirect',
  'global-auth-cache-key',
  'global-auth-cache-duration',
] as const;

export interface GlobalAuth {
  policy: ExternalAuthPolicy | null;
  /** Why routes under global auth are denied, or null. */
  error: string | null;
}

const memo = new WeakMap<GlobalConfig, GlobalAuth>();

export function globalExternalAuth(cfg: GlobalConfig): GlobalAuth {
  let g = memo.get(cfg);
  if (g === undefined) memo.set(cfg, (g = build(cfg)));
  return g;
}

function build(cfg: GlobalConfig): GlobalAuth {
  const url = cfg['global-auth-url'].trim();
  if (url === '') return { policy: null, error: null };
  for (const k of GLOBAL_AUTH_KEYS) {
    const problem = globalAuthValueProblem(k, cfg[k]);
    if (problem !== null) return { policy: null, error: `invalid ConfigMap ${k}: ${problem}` };
  }
  const headers = parseResponseHeaders(cfg['global-auth-response-headers']) as string[];
  const durations = parseCacheDurations(cfg['global-auth-cache-duration']) as CacheValidity[];
  const param = cfg['global-auth-signin-redirect-param'].trim();
  return {
    policy: {
      global: true,
      url,
      method: cfg['global-auth-method'].trim(),
      signin: cfg['global-auth-signin'].trim(),
      signinRedirectParam: param === '' ? 'rd' : param,
      responseHeaders: headers,
      requestRedirect: cfg['global-auth-request-redirect'].trim(),
      cacheKey: cfg['global-auth-cache-key'].trim(),
      cacheDuration: durations,
      alwaysSetCookie: cfg['global-auth-always-set-cookie'],
      proxySetHeaders: [],
    },
    error: null,
  };
}
