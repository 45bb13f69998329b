// permanent-redirect(-code) / temporal-redirect(-code) / from-to-www-redirect / relative-redirects
// / use-port-in-redirects. As in ingress-nginx (redirect.go) a temporal redirect wins over a
// permanent one; codes must be 300-308 (ingress-nginx silently falls back to 301/302, sluice
// reports the value).

import { bool, int } from '../../values.ts';
import type { AnnotationFamily } from '../family.ts';

/** ingress-nginx URLIsValidRegex: letters, digits and "-._~/:,?&=". */
const URL_CHARS = /^[-._~a-zA-Z0-9/:,?&=]+$/;

export const redirectFamily: AnnotationFamily = {
  name: 'redirect',
  apply(r, p, server) {
    const x = p.redirect;
    const www = r.parse('from-to-www-redirect', bool());
    if (www !== undefined) server.fromToWww = www;
    const relative = r.parse('relative-redirects', bool());
    if (relative !== undefined) x.relative = relative;
    const usePort = r.parse('use-port-in-redirects', bool());
    if (usePort !== undefined) x.usePort = usePort;

    const pcode = r.parse('permanent-redirect-code', int(300, 308));
    const tcode = r.parse('temporal-redirect-code', int(300, 308));
    const temporal = r.raw('temporal-redirect');
    const permanent = r.raw('permanent-redirect');
    if (temporal !== undefined && temporal !== '') {
      if (!URL_CHARS.test(temporal) || !/^https?:\/\/[^/]/i.test(temporal)) {
        r.error('temporal-redirect', temporal, 'expected an absolute http:// or https:// URL made of letters, digits and "-._~/:,?&="');
      } else {
        x.url = temporal;
        x.code = tcode ?? 302;
      }
      return;
    }
    if (permanent !== undefined && permanent !== '') {
      if (!URL_CHARS.test(permanent) || !(/^https?:\/\/[^/]/i.test(permanent) || permanent.startsWith('/'))) {
        r.error('permanent-redirect', permanent, 'expected an http:// or https:// URL, or a path starting with "/", made of letters, digits and "-._~/:,?&="');
      } else {
        x.url = permanent;
        x.code = pcode ?? 301;
      }
    }
  },
};
