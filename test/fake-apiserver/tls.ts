// Throwaway PKI for the fake API server: a fresh CA and a server certificate signed by it,
// made at start-up so no private key is ever checked in. Clients trust the CA through the
// kubeconfig's certificate-authority-data, exactly as with a real cluster.

import { generate } from 'selfsigned';

export interface ServerPki {
  /** PEM of the CA certificate (what a kubeconfig carries). */
  caCert: string;
  /** PEM of the server certificate (SANs: 127.0.0.1, ::1, localhost). */
  cert: string;
  /** PEM of the server private key. */
  key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export async function makeServerPki(): Promise<ServerPki> {
  // Backdate a little so a clock skew between processes cannot make the cert "not yet valid".
  const notBeforeDate = new Date(Date.now() - DAY_MS);
  const notAfterDate = new Date(Date.now() + 7 * DAY_MS);
  const ca = await generate([{ name: 'commonName', value: 'sluice-fake-apiserver-ca' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'kube-apiserver' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: 'kubernetes.default.svc' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { caCert: ca.cert, cert: server.cert, key: server.private };
}
