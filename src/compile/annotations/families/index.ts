// Families in the order they run. Later families may read what earlier ones set.

import type { AnnotationFamily } from '../family.ts';
import { proxyFamily } from './proxy.ts';
import { backendProtocolFamily } from './backend-protocol.ts';
import { sslRedirectFamily } from './ssl-redirect.ts';

export const FAMILIES: readonly AnnotationFamily[] = [proxyFamily, backendProtocolFamily, sslRedirectFamily];
