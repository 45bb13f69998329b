// ConfigMap no-auth-locations: Ingress paths that start with one of these prefixes skip basic
// and external authentication (ingress-nginx isLocationInLocationList: a prefix test on the
// location's path, not on the request path). Fallback locations count as "/".

import type { Target } from '../router.ts';

export function isNoAuthLocation(t: Target): boolean {
  const path = t.route !== null ? t.route.path : '/';
  for (const p of t.cfg['no-auth-locations']) if (p !== '' && path.startsWith(p)) return true;
  return false;
}
