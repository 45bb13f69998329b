// Families in the order they run. Later families may read what earlier ones set.

import type { AnnotationFamily } from '../family.ts';
import { proxyFamily } from './proxy.ts';
import { backendProtocolFamily } from './backend-protocol.ts';
import { sslRedirectFamily } from './ssl-redirect.ts';
import { corsFamily } from './cors.ts';
import { affinityFamily } from './affinity.ts';

export const FAMILIES: readonly AnnotationFamily[] = [proxyFamily, backendProtocolFamily, sslRedirectFamily, corsFamily, affinityFamily];
