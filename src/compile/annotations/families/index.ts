// Families in the order they run. Later families may read what earlier ones set.

import type { AnnotationFamily } from '../family.ts';
import { proxyFamily } from './proxy.ts';
import { backendProtocolFamily } from './backend-protocol.ts';
import { sslRedirectFamily } from './ssl-redirect.ts';
import { proxySslFamily } from './proxy-ssl.ts';
import { rewriteFamily } from './rewrite.ts';
import { redirectFamily } from './redirect.ts';
import { upstreamVhostFamily } from './upstream-vhost.ts';
import { serverAliasFamily } from './server-alias.ts';
import { errorsFamily } from './errors.ts';
import { accessFamily } from './access.ts';
import { basicAuthFamily } from './basic-auth.ts';
import { externalAuthFamily } from './external-auth.ts';
import { corsFamily } from './cors.ts';
import { affinityFamily } from './affinity.ts';

export const FAMILIES: readonly AnnotationFamily[] = [
  proxyFamily,
  backendProtocolFamily,
  proxySslFamily,
  sslRedirectFamily,
  rewriteFamily,
  redirectFamily,
  upstreamVhostFamily,
  serverAliasFamily,
  errorsFamily,
  accessFamily,
  basicAuthFamily,
  externalAuthFamily,
  corsFamily,
  // After rewriteFamily: the cookie path warning depends on use-regex.
  affinityFamily,
];
