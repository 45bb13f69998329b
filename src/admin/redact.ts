// Secrets never leave the process through the admin API: certificate keys, the client key of
// proxy-ssl-secret and basic-auth password hashes are replaced in every dump.

import type { RoutePolicy } from '../compile/policy.ts';
import type { RouteTable, Server } from '../routes/table.ts';

export function redactPolicy(p: RoutePolicy): RoutePolicy {
  let out = p;
  if (p.upstreamTls !== null && p.upstreamTls.key !== null) out = { ...out, upstreamTls: { ...p.upstreamTls, key: '[redacted]' } };
  if (p.basicAuth !== null) {
    const data: Record<string, string> = {};
    for (const k of Object.keys(p.basicAuth.data)) data[k] = '[redacted]';
    out = { ...out, basicAuth: { ...p.basicAuth, data } };
  }
  return out;
}

function redactServer(s: Server): Server {
  return { ...s, routes: s.routes.map((r) => ({ ...r, policy: redactPolicy(r.policy) })), fallback: { ...s.fallback, policy: redactPolicy(s.fallback.policy) } };
}

/** The table as JSON with private keys replaced. */
export function redactTable(t: RouteTable): unknown {
  return { ...t, certificates: t.certificates.map((c) => ({ ...c, key: '[redacted]' })), servers: t.servers.map(redactServer), catchAll: redactServer(t.catchAll) };
}
