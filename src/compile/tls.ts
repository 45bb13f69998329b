// TLS: which certificate each host presents, from spec.tls of the Ingresses that are ours.

import type { Ingress } from '../model/k8s.ts';
import type { Snapshot } from '../store/store.ts';
import type { Certificate, ServerTLS } from '../routes/table.ts';
import type { Diagnostics } from './diagnostics.ts';

export interface TlsOptions {
  /** `namespace/name` of --default-ssl-certificate, or null for the generated one. */
  defaultSslCertificate: string | null;
}

export interface CertificateSet {
  certificates: Certificate[];
  serverTls: Map<string, ServerTLS>;
}

export function buildCertificates(
  _ingresses: readonly Ingress[],
  _snap: Snapshot,
  _opts: TlsOptions,
  _diags: Diagnostics,
  _servers: ReadonlyMap<string, unknown>,
): CertificateSet {
  return { certificates: [], serverTls: new Map() };
}
