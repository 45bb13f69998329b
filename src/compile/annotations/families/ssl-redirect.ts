// ssl-redirect / force-ssl-redirect / preserve-trailing-slash: HTTP → HTTPS redirects.

import { bool } from '../../values.ts';
import type { AnnotationFamily } from '../family.ts';

export const sslRedirectFamily: AnnotationFamily = {
  name: 'ssl-redirect',
  apply(r, p) {
    const ssl = r.parse('ssl-redirect', bool());
    if (ssl !== undefined) p.tls.sslRedirect = ssl;
    const force = r.parse('force-ssl-redirect', bool());
    if (force !== undefined) p.tls.forceSslRedirect = force;
    const pts = r.parse('preserve-trailing-slash', bool());
    if (pts !== undefined) p.tls.preserveTrailingSlash = pts;
  },
};
