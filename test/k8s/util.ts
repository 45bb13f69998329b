// Small helpers for the Kubernetes-mode tests: bounded polling through the proxy, and
// self-signed certificates for TLS Secrets.

import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import selfsigned from 'selfsigned';
import { request, type Reply } from '../helpers/client.ts';

/** Polls `probe` until `ok` holds (bounded); returns the last value. */
export async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  for (;;) {
    try {
      last = await probe();
      if (ok(last)) return last;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last === undefined ? String(lastErr) : JSON.stringify(last).slice(0, 300)}`);
    }
    await sleep(25);
  }
}

/** A GET through the proxy: status and (for 200) the backend that answered. */
export async function hit(port: number, host: string, path = '/'): Promise<{ status: number; backend: string | null; reply: Reply }> {
  const r = await request(port, path, { host });
  return { status: r.status, backend: (r.headers['x-backend'] as string | undefined) ?? null, reply: r };
}

/** Waits until requests for host+path are answered by `backend` (or get `status`). */
export function route(port: number, host: string, path: string, want: { backend?: string; status?: number }, timeoutMs = 10_000): Promise<{ status: number; backend: string | null }> {
  return eventually(
    () => hit(port, host, path),
    (r) => (want.backend === undefined || r.backend === want.backend) && (want.status === undefined || r.status === want.status),
    `${host}${path} → ${JSON.stringify(want)}`,
    timeoutMs,
  );
}

export async function selfSignedCert(host: string, commonName = host): Promise<{ cert: string; key: string; fingerprint: string }> {
  const now = Date.now();
  const pems = await selfsigned.generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 3600_000),
    notAfterDate: new Date(now + 30 * 86400_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: host }] }],
  } as never);
  return { cert: pems.cert, key: pems.private, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
}

/** The fingerprint of the certificate a new TLS handshake with SNI `host` gets. */
export function servedFingerprint(port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: host, rejectUnauthorized: false }, () => {
      const fp = s.getPeerX509Certificate()?.fingerprint256 ?? '';
      s.destroy();
      resolve(fp);
    });
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error('TLS handshake timeout')));
  });
}
