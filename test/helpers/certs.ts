// Certificates generated for tests (never checked-in private keys): a test CA, leaf certificates
// for any hosts (optionally CA-signed, expired, or with an unrelated key).

import selfsigned from 'selfsigned';

export interface Pem {
  cert: string;
  key: string;
}

export type TestCert = Pem;

const DAY = 86400_000;

/** A CA certificate and key that can sign leaves. */
export async function makeCa(name = 'sluice test CA'): Promise<Pem> {
  const now = Date.now();
  const p = await selfsigned.generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - DAY),
    notAfterDate: new Date(now + 30 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: p.cert, key: p.private };
}

export interface LeafOptions {
  ca?: Pem;
  /** Validity window; default: from yesterday for 30 days. */
  notBefore?: Date;
  notAfter?: Date;
  ips?: string[];
}

/** A leaf certificate for `hosts` (the first is the common name; all are DNS SANs). */
export async function makeCert(hosts: string[], o: LeafOptions = {}): Promise<Pem> {
  const now = Date.now();
  const altNames: { type: 2 | 7; value?: string; ip?: string }[] = hosts.map((h) => ({ type: 2 as const, value: h }));
  for (const ip of o.ips ?? []) altNames.push({ type: 7, ip });
  const p = await selfsigned.generate([{ name: 'commonName', value: hosts[0] ?? 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: o.notBefore ?? new Date(now - DAY),
    notAfterDate: o.notAfter ?? new Date(now + 30 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', altNames },
    ],
    ...(o.ca ? { ca: o.ca } : {}),
  });
  return { cert: p.cert, key: p.private };
}
