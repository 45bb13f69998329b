// auth-type: basic with auth-secret (htpasswd "auth" key, or one key per user with
// auth-secret-type: auth-map) and auth-realm (ingress-nginx annotations/auth). Without
// auth-type the other keys have no effect, as in ingress-nginx. A missing or unreadable Secret
// denies the path (503), as ingress-nginx's "location denied".

import { refOf } from '../../../model/k8s.ts';
import type { AnnotationFamily } from '../family.ts';
import { lookupSecret } from '../secrets.ts';

// ingress-nginx's CharsWithSpace validator for auth-realm.
const REALM = /^[/\-._~a-zA-Z0-9: ]*$/;

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
    const data = lk.secret.data ?? {};
    if (secretType === 'auth-file') {
      const auth = data.auth;
      if (auth === undefined) {
        deny('SecretInvalid', `Secret ${lk.key} has no "auth" key (auth-secret-type auth-file expects an htpasswd file there)`);
        return;
      }
      p.basicAuth = { realm, secret: lk.key, secretType, htpasswd: Buffer.from(auth, 'base64').toString('utf8'), users: [] };
      return;
    }
    const users: [string, string][] = [];
    for (const user of Object.keys(data).sort()) {
      // A trailing line break (htpasswd -n output) is harmless; one inside would add a line to
      // the user file ingress-nginx writes, so it is refused.
      const hash = Buffer.from(data[user]!, 'base64').toString('utf8').replace(/[\r\n]+$/, '');
      if (/[\r\n]/.test(hash)) {
        deny('SecretInvalid', `Secret ${lk.key} key ${JSON.stringify(user)} holds a line break inside the password hash`);
        return;
      }
      users.push([user, hash]);
    }
    p.basicAuth = { realm, secret: lk.key, secretType, htpasswd: '', users };
  },
};
