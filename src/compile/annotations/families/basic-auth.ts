// auth-type: basic with auth-secret (htpasswd "auth" key, or one key per user with
// auth-secret-type: auth-map) and auth-realm (ingress-nginx annotations/auth). Without
// auth-type the other keys have no effect, as in ingress-nginx. A missing or unreadable Secret
// denies the path (503), as ingress-nginx's "location denied".

import { refOf } from '../../../model/k8s.ts';
import { parseAuthSecret } from '../../../dataplane/auth/htpasswd.ts';
import type { AnnotationFamily } from '../family.ts';
import { lookupSecret } from '../secrets.ts';

// ingress-nginx's CharsWithSpace validator for auth-realm.
const REALM = /^[/\-._~a-zA-Z0-9: ]*$/;
const MAX_REPORTED = 10;

export const basicAuthFamily: AnnotationFamily = {
  name: 'basic-auth',
  apply(r, p, _server, ing, ctx) {
    const type = r.raw('auth-type');
    if (type === undefined) return;
    // Read (consume) every key up front so an early error does not also report them as unused.
    const st = r.raw('auth-secret-type');
    const realmRaw = r.raw('auth-realm');
    const name = r.raw('auth-secret');
    const t = type.trim();
    if (t === 'digest') {
      r.error('auth-type', type, 'digest authentication is not supported by sluice; expected "basic"');
      return;
    }
    if (t !== 'basic') {
      r.error('auth-type', type, 'expected basic (digest is not supported by sluice)');
      return;
    }
    const secretType = st === undefined || st.trim() === '' ? 'auth-file' : st.trim();
    if (secretType !== 'auth-file' && secretType !== 'auth-map') {
      r.error('auth-secret-type', st!, 'expected auth-file or auth-map');
      return;
    }
    const realm = realmRaw ?? '';
    if (!REALM.test(realm)) {
      r.error('auth-realm', realm, 'expected letters, digits, spaces and - . _ ~ / :');
      return;
    }
    if (name === undefined || name.trim() === '') {
      r.error('auth-secret', name ?? '', 'auth-type: basic needs auth-secret: the name of a Secret in the Ingress namespace (or namespace/name)');
      return;
    }
    const field = `metadata.annotations["${r.prefix}auth-secret"]`;
    const deny = (reason: 'SecretNotFound' | 'SecretForbidden' | 'SecretInvalid', message: string): void => {
      r.invalid.push('auth-secret');
      ctx.diags.error(refOf(ing), reason, field, `${message}; the Ingress's paths answer 503 until it is fixed`);
    };
    const lk = lookupSecret(ctx, ing, name);
    if (!lk.ok) {
      deny(lk.reason, lk.error);
      return;
    }
    const all = lk.secret.data ?? {};
    // Only the keys the verifier reads are copied into the table (auth-file: "auth").
    const data: Record<string, string> = secretType === 'auth-file' ? (all.auth !== undefined ? { auth: all.auth } : {}) : { ...all };
    if (secretType === 'auth-file' && data.auth === undefined) {
      deny('SecretInvalid', `Secret ${lk.key} has no "auth" key (auth-secret-type auth-file expects an htpasswd file there)`);
      return;
    }
    const parsed = parseAuthSecret(data, secretType);
    // Bad lines and hashes no password can match are reported; the users that parse still work.
    const shown = parsed.errors.slice(0, MAX_REPORTED);
    for (const e of shown) {
      const where = secretType === 'auth-file' ? (e.line > 0 ? `line ${e.line}` : 'key auth') : `key ${JSON.stringify(e.user ?? '')}`;
      ctx.diags.warn(refOf(ing), 'SecretInvalid', field, `Secret ${lk.key} ${where}: ${e.message}`);
    }
    if (parsed.errors.length > shown.length) ctx.diags.warn(refOf(ing), 'SecretInvalid', field, `Secret ${lk.key}: ${parsed.errors.length - shown.length} more problems`);
    p.basicAuth = { realm, secret: lk.key, secretType, data };
  },
};
