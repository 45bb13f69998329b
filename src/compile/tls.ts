// TLS: which certificate each host presents, from spec.tls of our Ingresses (oldest first wins a
// host). A Secret that is missing, malformed, expired, has a key that does not match, or does not
// cover the host leaves that host on the default certificate, with an error on the Ingress —
// nothing else is affected. Certificate chains are kept exactly as given.

import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { refOf, type Ingress, type Secret } from '../model/k8s.ts';
import type { Snapshot } from '../store/store.ts';
import type { Certificate, ServerTLS } from '../routes/table.ts';
import type { Diagnostics, Reason } from './diagnostics.ts';
import { checkHost } from './hosts.ts';

export interface TlsOptions {
  /** `namespace/name` of --default-ssl-certificate, or null for the generated one. */
  defaultSslCertificate: string | null;
}

export interface CertificateSet {
  certificates: Certificate[];
  /** Per host: the certificate to present (null = default) and the Secret named for it. */
  serverTls: Map<string, ServerTLS>;
  /** Id of --default-ssl-certificate when it is usable. */
  defaultCertificate: string | null;
}

type Parsed = { ok: true; cert: Certificate; x509: X509Certificate } | { ok: false; reason: Reason; message: string };

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

function decode(b64: string | undefined): string | null {
  if (b64 === undefined) return null;
  const s = Buffer.from(b64, 'base64').toString('utf8');
  return s === '' ? null : s;
}

/** Parses and checks a kubernetes.io/tls Secret. Pure given `now`. */
export function parseTlsSecret(secret: Secret | undefined, key: string, now: number): Parsed {
  if (!secret) return { ok: false, reason: 'SecretNotFound', message: `Secret ${key} not found` };
  const crt = decode(secret.data?.['tls.crt']);
  const pkey = decode(secret.data?.['tls.key']);
  if (crt === null || pkey === null) return { ok: false, reason: 'SecretInvalid', message: `Secret ${key} has no tls.crt and tls.key` };
  const first = PEM_CERT.exec(crt);
  if (!first) return { ok: false, reason: 'SecretInvalid', message: `Secret ${key}: tls.crt holds no PEM certificate` };
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(first[0]);
  } catch (e) {
    return { ok: false, reason: 'SecretInvalid', message: `Secret ${key}: tls.crt is not a valid certificate (${(e as Error).message})` };
  }
  let matches: boolean;
  try {
    matches = x509.checkPrivateKey(createPrivateKey(pkey));
  } catch (e) {
    return { ok: false, reason: 'SecretInvalid', message: `Secret ${key}: tls.key is not a valid private key (${(e as Error).message})` };
  }
  if (!matches) return { ok: false, reason: 'SecretInvalid', message: `Secret ${key}: tls.key does not match the certificate in tls.crt` };
  const notAfter = x509.validToDate.getTime();
  if (now > 0 && notAfter < now) {
    return { ok: false, reason: 'CertificateExpired', message: `Secret ${key}: certificate expired at ${x509.validToDate.toISOString()}` };
  }
  const id = createHash('sha256').update(crt).update('\0').update(pkey).digest('hex').slice(0, 16);
  return { ok: true, x509, cert: { id, secret: key, cert: crt, key: pkey, notAfter: x509.validToDate.toISOString(), hosts: [] } };
}

/** Does the PEM certificate (first of the chain) cover the host name? */
export function certificateCovers(pem: string, host: string): boolean {
  const first = PEM_CERT.exec(pem);
  if (!first) return false;
  try {
    return covers(new X509Certificate(first[0]), host);
  } catch {
    return false;
  }
}

/** Does the certificate cover the host? Wildcard hosts are checked with a sample name. */
function covers(x509: X509Certificate, host: string): boolean {
  const name = host.startsWith('*.') ? `sluice-check.${host.slice(2)}` : host;
  return x509.checkHost(name, { subject: 'default', wildcards: true }) !== undefined;
}

export function buildCertificates(
  ingresses: readonly Ingress[],
  snap: Snapshot,
  opts: TlsOptions,
  diags: Diagnostics,
  servers: ReadonlyMap<string, unknown>,
  now: number,
): CertificateSet {
  const certs = new Map<string, Certificate>();
  const serverTls = new Map<string, ServerTLS>();
  const parsed = new Map<string, Parsed>();
  const parse = (key: string): Parsed => {
    let p = parsed.get(key);
    if (!p) parsed.set(key, (p = parseTlsSecret(snap.secrets.get(key), key, now)));
    return p;
  };

  let defaultCertificate: string | null = null;
  if (opts.defaultSslCertificate) {
    const p = parse(opts.defaultSslCertificate);
    if (p.ok) {
      defaultCertificate = p.cert.id;
      certs.set(p.cert.id, { ...p.cert, hosts: [] });
    } else {
      const [ns, name] = opts.defaultSslCertificate.split('/') as [string, string];
      diags.error({ kind: 'Secret', namespace: ns, name }, p.reason, '', `--default-ssl-certificate: ${p.message}; using the generated self-signed certificate`);
    }
  }

  for (const ing of ingresses) {
    const ns = ing.metadata.namespace!;
    const ruleHosts = (ing.spec.rules ?? []).map((r) => r.host).filter((h): h is string => !!h).map((h) => h.toLowerCase());
    (ing.spec.tls ?? []).forEach((tls, i) => {
      const field = `spec.tls[${i}]`;
      const hosts: string[] = [];
      // No hosts listed: the section covers every host of the Ingress's rules.
      for (const raw of tls.hosts && tls.hosts.length > 0 ? tls.hosts : ruleHosts) {
        const h = checkHost(raw);
        if (!h.ok) diags.error(refOf(ing), 'InvalidHost', `${field}.hosts`, `${h.error}; not served over TLS`);
        else hosts.push(h.host);
      }
      const secretKey = tls.secretName ? `${ns}/${tls.secretName}` : null;
      const p = secretKey ? parse(secretKey) : null;
      if (p && !p.ok) diags.error(refOf(ing), p.reason, `${field}.secretName`, `${p.message}; ${hosts.join(', ') || 'its hosts'} use the default certificate`);
      for (const host of hosts) {
        if (serverTls.has(host)) continue; // an older Ingress already set this host's certificate
        let certificate: string | null = null;
        if (p && p.ok) {
          if (covers(p.x509, host)) {
            certificate = p.cert.id;
            let c = certs.get(p.cert.id);
            if (!c) certs.set(p.cert.id, (c = { ...p.cert, hosts: [] }));
            c.hosts.push(host);
          } else {
            diags.error(refOf(ing), 'SecretInvalid', `${field}.secretName`, `certificate in Secret ${secretKey} does not cover host ${host}; ${host} uses the default certificate`);
          }
        }
        serverTls.set(host, { certificate, secret: secretKey });
        if (!servers.has(host)) {
          diags.add(refOf(ing), 'info', 'InvalidHost', `${field}.hosts`, `TLS host ${host} has no rule; its requests reach the catch-all server`);
        }
      }
    });
  }
  const certificates = [...certs.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const c of certificates) c.hosts.sort();
  return { certificates, serverTls, defaultCertificate };
}
