// The bench's TLS certificate: RSA-2048, self-signed, generated with openssl at bench time.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './procs.ts';

export interface BenchCert {
  certFile: string;
  keyFile: string;
  combinedPem: string;
  certPem: string;
  keyPem: string;
}

export async function makeBenchCert(dir: string): Promise<BenchCert> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const r = await runCommand('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=bench.test',
    '-addext', 'subjectAltName=DNS:*.bench.test,DNS:bench.test,IP:127.0.0.1',
    '-keyout', keyFile, '-out', certFile,
  ]);
  if (r.code !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  const certPem = readFileSync(certFile, 'utf8');
  const keyPem = readFileSync(keyFile, 'utf8');
  const combinedPem = join(dir, 'combined.pem');
  writeFileSync(combinedPem, certPem + keyPem);
  return { certFile, keyFile, combinedPem, certPem, keyPem };
}
