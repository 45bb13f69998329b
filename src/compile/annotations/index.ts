// Annotation parsing entry point: each family (families/*.ts) turns its annotations into typed
// policy fields. Invalid values deny the Ingress's routes (503, fail closed, as ingress-nginx's
// "location denied"); snippets are never executed; keys no family reads are reported.

import type { Ingress } from '../../model/k8s.ts';
import type { GlobalConfig } from '../config.ts';
import { defaultRoutePolicy, type RoutePolicy } from '../policy.ts';
import type { AnnotationContext, AnnotationFamily, ServerEffects } from './family.ts';
import { AnnotationReader } from './reader.ts';
import { FAMILIES } from './families/index.ts';
import { classifyUnread } from './unread.ts';

export type { AnnotationContext } from './family.ts';

export interface IngressAnnotations {
  /** Policy for every path of the Ingress. */
  policy: RoutePolicy;
  /** Per-path overrides keyed `rule/path` (a path-specific problem). */
  pathPolicies: Map<string, RoutePolicy>;
  server: ServerEffects;
  /** use-regex or rewrite-target: the Ingress's hosts switch to regex matching. */
  regex: boolean;
}

const defaults = new WeakMap<GlobalConfig, RoutePolicy>();
const interned = new WeakMap<GlobalConfig, Map<string, RoutePolicy>>();

/** One shared default policy object per config, so unannotated routes share it. */
export function sharedDefaultPolicy(cfg: GlobalConfig): RoutePolicy {
  let p = defaults.get(cfg);
  if (!p) defaults.set(cfg, (p = defaultRoutePolicy(cfg)));
  return p;
}

/** Identical policies share one object (10,000 Ingresses with the same annotations, one policy). */
function intern(cfg: GlobalConfig, p: RoutePolicy): RoutePolicy {
  let m = interned.get(cfg);
  if (!m) interned.set(cfg, (m = new Map()));
  const key = JSON.stringify(p);
  const hit = m.get(key);
  if (hit) return hit;
  m.set(key, p);
  return p;
}

export function parseIngressAnnotations(ing: Ingress, ctx: AnnotationContext, families: readonly AnnotationFamily[] = FAMILIES): IngressAnnotations {
  const server: ServerEffects = { regex: false, aliases: [], fromToWww: false, appRoot: null };
  const r = new AnnotationReader(ing, ctx.opts.annotationsPrefix, ctx.diags);
  const base = sharedDefaultPolicy(ctx.cfg);
  if (!r.any) return { policy: base, pathPolicies: new Map(), server, regex: false };
  const draft = structuredClone(base);
  for (const f of families) f.apply(r, draft, server, ing, ctx);
  classifyUnread(r, ctx.cfg);
  if (r.invalid.length > 0) draft.denied = `invalid annotation${r.invalid.length > 1 ? 's' : ''} ${r.invalid.map((k) => r.prefix + k).join(', ')}`;
  const policy = JSON.stringify(draft) === JSON.stringify(base) ? base : intern(ctx.cfg, draft);
  return { policy, pathPolicies: new Map(), server, regex: server.regex };
}
