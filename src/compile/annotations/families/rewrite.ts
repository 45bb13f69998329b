// use-regex / rewrite-target / x-forwarded-prefix / app-root (ingress-nginx's rewrite group).
// Values are checked against the characters ingress-nginx's validators allow, minus what sluice
// cannot honour without nginx variables: "$" may only introduce a capture reference $1..$9.

import { bool } from '../../values.ts';
import type { AnnotationFamily } from '../family.ts';

/** ingress-nginx RegexPathWithCapture, anchored on a leading "/": path characters and "$". */
const PATH_WITH_CAPTURES = /^\/[-._~a-zA-Z0-9/:$]*$/;
/** A "$" not followed by a digit 1-9 would be an nginx variable. */
const NON_CAPTURE_DOLLAR = /\$(?![1-9])/;

export const rewriteFamily: AnnotationFamily = {
  name: 'rewrite',
  apply(r, p, server) {
    const rw = p.rewrite;
    const useRegex = r.parse('use-regex', bool());
    if (useRegex !== undefined) rw.useRegex = useRegex;

    const target = r.raw('rewrite-target');
    if (target !== undefined && target !== '') {
      const why = checkPathWithCaptures(target);
      if (why !== null) r.error('rewrite-target', target, why);
      else rw.target = target;
    }

    const xfp = r.raw('x-forwarded-prefix');
    if (xfp !== undefined && xfp.trim() !== '') {
      const v = xfp.trim();
      const why = /^[-._~a-zA-Z0-9/:$]*$/.test(v) ? (NON_CAPTURE_DOLLAR.test(v) ? 'only $1..$9 (capture groups of the path) may follow "$"' : null) : 'a path prefix such as /api (letters, digits, "-._~/:", and $1..$9)';
      if (why !== null) r.error('x-forwarded-prefix', xfp, `expected ${why}`);
      else rw.xForwardedPrefix = v;
    }

    const appRoot = r.raw('app-root');
    if (appRoot !== undefined && appRoot !== '') {
      if (!/^\/[-._~a-zA-Z0-9/:]*$/.test(appRoot)) {
        r.error('app-root', appRoot, 'expected an absolute path such as /app (no scheme, host, query or "$")');
      } else server.appRoot = appRoot;
    }
    if (rw.useRegex || rw.target !== null) server.regex = true;
  },
};

/** Why a rewrite-target is unusable, or null. */
export function checkPathWithCaptures(v: string): string | null {
  if (/^https?:\/\//i.test(v)) return 'expected a path such as /$2; an absolute URL would make nginx answer with a redirect, which sluice does not do (use temporal-redirect or permanent-redirect)';
  if (!PATH_WITH_CAPTURES.test(v)) return 'expected a path starting with "/" made of letters, digits, "-._~/:" and capture references $1..$9, such as /$2 or /api/$1';
  if (NON_CAPTURE_DOLLAR.test(v)) return 'expected only $1..$9 after "$" (capture groups of the Ingress path); nginx variables are not supported';
  return null;
}
