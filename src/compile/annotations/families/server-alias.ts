// server-alias: extra host names served by the Ingress's hosts. ingress-nginx accepts nginx
// server_name syntax (regex names too); sluice accepts what an Ingress host accepts.

import { checkHost } from '../../hosts.ts';
import type { AnnotationFamily } from '../family.ts';

export const serverAliasFamily: AnnotationFamily = {
  name: 'server-alias',
  apply(r, _p, server) {
    const v = r.raw('server-alias');
    if (v === undefined) return;
    const out: string[] = [];
    for (const raw of v.split(',')) {
      const name = raw.trim();
      if (name === '') continue;
      const h = checkHost(name);
      if (!h.ok) {
        r.error('server-alias', v, `expected comma-separated host names (a leading "*." allowed; nginx regex names are not supported): ${h.error}`);
        return;
      }
      if (!out.includes(h.host)) out.push(h.host);
    }
    for (const a of out) if (!server.aliases.includes(a)) server.aliases.push(a);
  },
};
