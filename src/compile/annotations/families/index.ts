// Families in the order they run. Later families may read what earlier ones set.

import type { AnnotationFamily } from '../family.ts';
import { proxyFamily } from './proxy.ts';
import { backendProtocolFamily } from './backend-protocol.ts';
import { sslRedirectFamily } from './ssl-redirect.ts';
import { rewriteFamily } from './rewrite.ts';
import { redirectFamily } from './redirect.ts';
import { upstreamVhostFamily } from './upstream-vhost.ts';
import { serverAliasFamily } from './server-alias.ts';
import { errorsFamily } from './errors.ts';

export const FAMILIES: readonly AnnotationFamily[] = [
  proxyFamily,
  backendProtocolFamily,
  sslRedirectFamily,
  rewriteFamily,
  redirectFamily,
  upstreamVhostFamily,
  serverAliasFamily,
  errorsFamily,
];
