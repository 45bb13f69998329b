// The shape of one annotation family's parser: which keys it owns and how it turns them into
// the typed policy. Families run in a fixed order (index.ts) over a private copy of the policy.

import type { Ingress } from '../../model/k8s.ts';
import type { Snapshot } from '../../store/store.ts';
import type { GlobalConfig } from '../config.ts';
import type { Diagnostics } from '../diagnostics.ts';
import type { RoutePolicy } from '../policy.ts';
import type { AnnotationReader } from './reader.ts';

export interface AnnotationContext {
  cfg: GlobalConfig;
  snap: Snapshot;
  opts: { annotationsPrefix: string; allowCrossNamespaceSecrets: boolean };
  diags: Diagnostics;
  /** Secrets (`namespace/name`) referenced by annotations; see secrets.ts. */
  referencedSecrets: Set<string>;
}

/** Host-level effects of an Ingress's annotations (merged into its servers by compile). */
export interface ServerEffects {
  /** use-regex or rewrite-target present: the Ingress's hosts may switch to regex matching (compile decides per location). */
  regex: boolean;
  /** server-alias: extra names for the Ingress's hosts. */
  aliases: string[];
  /** from-to-www-redirect. */
  fromToWww: boolean;
  /** app-root: `/` on the host redirects here (a server-level rule in ingress-nginx). */
  appRoot: string | null;
}

export interface AnnotationFamily {
  name: string;
  apply(r: AnnotationReader, p: RoutePolicy, server: ServerEffects, ing: Ingress, ctx: AnnotationContext): void;
}
