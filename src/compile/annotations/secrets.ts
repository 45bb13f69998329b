// Secrets named by annotations (auth-secret, proxy-ssl-secret, ...): `name` in the Ingress's
// namespace, or `namespace/name` — the latter only when the admin allows cross-namespace
// references (--allow-cross-namespace-secrets), so Ingress authors cannot read other tenants'
// Secrets. Every reference is recorded: in cluster mode the source fetches exactly these
// non-TLS Secrets instead of watching all of them.

import type { Ingress, Secret } from '../../model/k8s.ts';
import type { AnnotationContext } from './family.ts';

export type SecretLookup = { ok: true; key: string; secret: Secret } | { ok: false; key: string | null; error: string; reason: 'SecretNotFound' | 'SecretForbidden' | 'SecretInvalid' };

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function lookupSecret(ctx: AnnotationContext, ing: Ingress, value: string): SecretLookup {
  const v = value.trim();
  const ns = ing.metadata.namespace!;
  const slash = v.indexOf('/');
  const secretNs = slash < 0 ? ns : v.slice(0, slash);
  const name = slash < 0 ? v : v.slice(slash + 1);
  if (!NAME.test(secretNs) || !NAME.test(name)) return { ok: false, key: null, error: `"${value}" is not a Secret name or namespace/name`, reason: 'SecretInvalid' };
  const key = `${secretNs}/${name}`;
  if (secretNs !== ns && !ctx.opts.allowCrossNamespaceSecrets) {
    return { ok: false, key, error: `Secret ${key} is in another namespace; cross-namespace Secret references need --allow-cross-namespace-secrets`, reason: 'SecretForbidden' };
  }
  ctx.referencedSecrets.add(key);
  const secret = ctx.snap.secrets.get(key);
  if (!secret) return { ok: false, key, error: `Secret ${key} not found`, reason: 'SecretNotFound' };
  return { ok: true, key, secret };
}
