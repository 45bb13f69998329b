// The self-signed certificate served when no other matches and --default-ssl-certificate is not
// given, generated at start-up (like ingress-nginx's "Fake Certificate").

import type { PemPair } from './contexts.ts';

export async function generateDefaultCertificate(): Promise<PemPair> {
  // Loaded here only: node-forge inside costs ~20 MB of RSS, and workers receive the certificate.
  const { default: selfsigned } = await import('selfsigned');
  const now = Date.now();
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'sluice Ingress Controller Fake Certificate' }, { name: 'organizationName', value: 'sluice' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 3600_000),
    notAfterDate: new Date(now + 365 * 86400_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'ingress.local' }] }],
  } as never);
  return { cert: pems.cert, key: pems.private };
}
