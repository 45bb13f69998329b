// TLS towards pods (backend-protocol HTTPS/GRPCS): no verification by default, as ingress-nginx;
// with proxy-ssl-verify the pod's certificate is checked against proxy-ssl-secret's ca.crt and
// proxy-ssl-name; proxy-ssl-secret's tls.crt/tls.key are presented as a client certificate.

import net from 'node:net';
import tls from 'node:tls';

export interface TlsUpstreamOptions {
  servername: string | undefined;
  rejectUnauthorized: boolean;
  ca?: string;
  /** Client certificate (proxy-ssl-secret) for mutual TLS towards the pod. */
  cert?: string;
  key?: string;
  /** Name checked against the pod's certificate when verifying (proxy-ssl-name). */
  checkName?: string;
  /** proxy-ssl-protocols / proxy-ssl-ciphers. */
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
  /** Distinguishes pools whose settings differ beyond the fields in the key (hash of the above). */
  id?: string;
}

/** TLS client options towards a pod: SNI, verification against a CA and name, client certificate. */
export function tlsConnectOptions(address: string, port: number, t: TlsUpstreamOptions, alpn: string): tls.ConnectionOptions {
  const opts: tls.ConnectionOptions = { host: address, port, rejectUnauthorized: t.rejectUnauthorized, ALPNProtocols: [alpn] };
  if (t.servername !== undefined && net.isIP(t.servername) === 0) opts.servername = t.servername;
  if (t.ca !== undefined) opts.ca = t.ca;
  if (t.cert !== undefined && t.key !== undefined) {
    opts.cert = t.cert;
    opts.key = t.key;
  }
  if (t.minVersion !== undefined) opts.minVersion = t.minVersion;
  if (t.maxVersion !== undefined) opts.maxVersion = t.maxVersion;
  if (t.ciphers !== undefined) opts.ciphers = t.ciphers;
  const name = t.checkName;
  if (name !== undefined) opts.checkServerIdentity = (_host, cert) => tls.checkServerIdentity(name, cert);
  return opts;
}

