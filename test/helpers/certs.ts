// Self-signed certificates for end-to-end TLS tests, covering the given DNS names.

import selfsigned from 'selfsigned';

export interface TestCert {
  cert: string;
  key: string;
}

export async function makeCert(names: string[]): Promise<TestCert> {
  const now = Date.now();
  const pems = await selfsigned.generate([{ name: 'commonName', value: names[0]! }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 3600_000),
    notAfterDate: new Date(now + 30 * 86400_000),
    extensions: [{ name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) }],
  } as never);
  return { cert: pems.cert, key: pems.private };
}
