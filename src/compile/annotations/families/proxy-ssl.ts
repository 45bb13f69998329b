// proxy-ssl-*: TLS towards the pods for backend-protocol HTTPS/GRPCS. As in ingress-nginx,
// proxy-ssl-secret (namespace/name; ca.crt, and tls.crt/tls.key for a client certificate) is the
// prerequisite: without it the other keys are ignored (reported). A Secret that is missing,
// forbidden (another namespace without --allow-cross-namespace-secrets) or lacks what is needed
// denies the Ingress's paths (503), as ingress-nginx's "location denied".

import { createPrivateKey, X509Certificate } from 'node:crypto';
import { refOf } from '../../../model/k8s.ts';
import { oneOf, text } from '../../values.ts';
import type { AnnotationFamily } from '../family.ts';
import type { AnnotationReader } from '../reader.ts';
import type { Reason } from '../../diagnostics.ts';
import { lookupSecret } from '../secrets.ts';

const DEPENDENT = ['proxy-ssl-verify', 'proxy-ssl-name', 'proxy-ssl-server-name', 'proxy-ssl-ciphers', 'proxy-ssl-protocols'];
const PROTOCOLS = ['TLSv1.2', 'TLSv1.3'] as const;

function decode(b64: string | undefined): string | null {
  if (b64 === undefined) return null;
  const s = Buffer.from(b64, 'base64').toString('utf8');
  return s === '' ? null : s;
}

/** Reports a Secret problem with its own reason and denies the Ingress's paths. */
function denySecret(r: AnnotationReader, reason: Reason, message: string, diags: Parameters<AnnotationFamily['apply']>[4]['diags']): void {
  r.invalid.push('proxy-ssl-secret');
  diags.error(refOf(r.ingress), reason, `metadata.annotations["${r.prefix}proxy-ssl-secret"]`, `${message}; the Ingress's paths answer 503 until it is fixed`);
}

export const proxySslFamily: AnnotationFamily = {
  name: 'proxy-ssl',
  apply(r, p, _server, ing, ctx) {
    const ref = r.raw('proxy-ssl-secret');
    if (ref === undefined) {
      for (const k of DEPENDENT) if (r.raw(k) !== undefined) r.warn(k, 'IgnoredAnnotation', 'only applies together with proxy-ssl-secret (as in ingress-nginx); ignored', 'info');
      return;
    }
    const found = lookupSecret(ctx, ing, ref);
    if (!found.ok) {
      if (found.key === null) r.error('proxy-ssl-secret', ref, 'a Secret name or namespace/name');
      else denySecret(r, found.reason, found.error, ctx.diags);
      return;
    }
    const { key, secret } = found;
    const ca = decode(secret.data?.['ca.crt']);
    const cert = decode(secret.data?.['tls.crt']);
    const pkey = decode(secret.data?.['tls.key']);
    const verify = r.parse('proxy-ssl-verify', oneOf(['on', 'off'])) === 'on';
    if (verify && ca === null) {
      denySecret(r, 'SecretInvalid', `Secret ${key} has no ca.crt, which proxy-ssl-verify needs`, ctx.diags);
      return;
    }
    try {
      if (ca !== null) new X509Certificate(ca);
      if (cert !== null && pkey !== null && !new X509Certificate(cert).checkPrivateKey(createPrivateKey(pkey))) throw new Error('tls.key does not match tls.crt');
    } catch (e) {
      denySecret(r, 'SecretInvalid', `Secret ${key}: ${(e as Error).message}`, ctx.diags);
      return;
    }
    const name = r.parse('proxy-ssl-name', text());
    const serverName = r.parse('proxy-ssl-server-name', oneOf(['on', 'off'])) === 'on';
    const ciphers = r.parse('proxy-ssl-ciphers', text());
    const protocolsRaw = r.raw('proxy-ssl-protocols');
    // ingress-nginx drops unknown words and falls back to its default (TLSv1.2) when none is left.
    const listed = (protocolsRaw ?? '').split(/\s+/).filter((w): w is (typeof PROTOCOLS)[number] => (PROTOCOLS as readonly string[]).includes(w)).sort();
    const versions = listed.length > 0 ? listed : (['TLSv1.2'] as const);
    p.upstreamTls = {
      secret: key,
      verify,
      ca,
      cert: cert !== null && pkey !== null ? cert : null,
      key: cert !== null && pkey !== null ? pkey : null,
      name: name !== undefined && name.trim() !== '' ? name.trim() : null,
      serverName,
      minVersion: versions[0]!,
      maxVersion: versions[versions.length - 1]!,
      ciphers: ciphers !== undefined && ciphers.trim() !== '' ? ciphers.trim() : null,
    };
  },
};
