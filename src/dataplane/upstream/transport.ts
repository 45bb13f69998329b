// How a route reaches its pods: the protocol (backend-protocol) and, for TLS protocols, the
// proxy-ssl-* settings. Routes to one Service with different transports get separate backend
// runtimes and connection pools (a verified TLS pool never serves an unverified route).

import { createHash } from 'node:crypto';
import type { UpstreamTlsPolicy } from '../../compile/policy.ts';
import type { Backend, BackendProtocol } from '../../routes/table.ts';
import type { TlsUpstreamOptions } from './tls-client.ts';

export interface Transport {
  protocol: BackendProtocol;
  tls: UpstreamTlsPolicy | null;
}

const ids = new WeakMap<UpstreamTlsPolicy, string>();

function tlsId(u: UpstreamTlsPolicy): string {
  let id = ids.get(u);
  if (id === undefined) {
    id = createHash('sha256').update(JSON.stringify(u)).digest('hex').slice(0, 12);
    ids.set(u, id);
  }
  return id;
}

function isTls(protocol: BackendProtocol): boolean {
  return protocol === 'HTTPS' || protocol === 'GRPCS';
}

/** "HTTP", "GRPCS", or "HTTPS|<id of the proxy-ssl settings>". */
export function transportKey(protocol: BackendProtocol, tls: UpstreamTlsPolicy | null): string {
  return tls === null || !isTls(protocol) ? protocol : `${protocol}|${tlsId(tls)}`;
}

/** TLS client options for a backend reached with this transport (null: plain TCP). */
export function tlsOptionsFor(data: Backend, t: Transport): TlsUpstreamOptions | null {
  if (!isTls(t.protocol)) return null;
  const u = t.tls;
  // No proxy-ssl-secret: TLS without verification, SNI only for ExternalName (as before).
  if (u === null) return { servername: data.externalName ?? undefined, rejectUnauthorized: false };
  const name = u.name ?? `${data.service}.${data.namespace}.svc`;
  const o: TlsUpstreamOptions = { servername: u.serverName ? name : undefined, rejectUnauthorized: u.verify, id: tlsId(u), minVersion: u.minVersion, maxVersion: u.maxVersion };
  if (u.verify) {
    if (u.ca !== null) o.ca = u.ca;
    o.checkName = name;
  }
  if (u.cert !== null && u.key !== null) {
    o.cert = u.cert;
    o.key = u.key;
  }
  if (u.ciphers !== null) o.ciphers = u.ciphers;
  return o;
}
