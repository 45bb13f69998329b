// Private keys never leave the process through the admin API: certificate keys and the client
// key of proxy-ssl-secret are replaced in every dump.

import type { RoutePolicy } from '../compile/policy.ts';
import type { RouteTable, Server } from '../routes/table.ts';

export function redactPolicy(p: RoutePolicy): RoutePolicy {
  return p.upstreamTls !== null && p.upstreamTls.key !== null ? { ...p, upstreamTls: { ...p.upstreamTls, key: '[redacted]' } } : p;
}

function redactServer(s: Server): Server {
  return { ...s, routes: s.routes.map((r) => ({ ...r, policy: redactPolicy(r.policy) })), fallback: { ...s.fallback, policy: redactPolicy(s.fallback.policy) } };
}

/** The table as JSON with private keys replaced. */
export function redactTable(t: RouteTable): unknown {
  return { ...t, certificates: t.certificates.map((c) => ({ ...c, key: '[redacted]' })), servers: t.servers.map(redactServer), catchAll: redactServer(t.catchAll) };
}
