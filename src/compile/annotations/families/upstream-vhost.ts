// upstream-vhost: the Host header sent to the Service (X-Forwarded-Host keeps the client's).
// nginx would accept any variable here; sluice interpolates the few that make sense for a Host.

import type { AnnotationFamily } from '../family.ts';

export const UPSTREAM_VHOST_VARIABLES = ['host', 'http_host', 'best_http_host', 'service_name', 'namespace', 'service_port'];

export const upstreamVhostFamily: AnnotationFamily = {
  name: 'upstream-vhost',
  apply(r, p) {
    const v = r.raw('upstream-vhost');
    if (v === undefined || v.trim() === '') return;
    const value = v.trim();
    const literal = value.replace(/\$([a-z_]+)/g, (m, name: string) => (UPSTREAM_VHOST_VARIABLES.includes(name) ? '' : m));
    if (!/^[A-Za-z0-9.\-:[\]]*$/.test(literal)) {
      r.error('upstream-vhost', v, `expected a host name with an optional :port (letters, digits, ".-:"), optionally with the variables ${UPSTREAM_VHOST_VARIABLES.map((n) => '$' + n).join(', ')}`);
      return;
    }
    p.upstreamVhost = value;
  },
};
