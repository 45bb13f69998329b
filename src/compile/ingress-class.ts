// Which Ingresses belong to this controller. Rules, in order:
// 1. The legacy `kubernetes.io/ingress.class` annotation, when present, decides alone (it predates
//    the field and tools that still set it expect it to win, as in ingress-nginx and Contour).
// 2. `spec.ingressClassName` names an IngressClass whose spec.controller is --controller-class.
//    When no IngressClass object of that name exists at all, the name --ingress-class is accepted
//    too, so manifests run without an IngressClass object in standalone mode.
// 3. No class at all: ours with --watch-ingress-without-class, or when one of our IngressClasses
//    carries `ingressclass.kubernetes.io/is-default-class: "true"`.

import { refOf, type Ingress } from '../model/k8s.ts';
import type { Snapshot } from '../store/store.ts';
import type { Diagnostics } from './diagnostics.ts';

export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export interface ClassOptions {
  ingressClass: string;
  controllerClass: string;
  watchWithoutClass: boolean;
}

export interface OurClasses {
  names: ReadonlySet<string>;
  isDefault: boolean;
}

export function findOurClasses(snap: Snapshot, opts: ClassOptions, diags: Diagnostics): OurClasses {
  const names = new Set<string>();
  let isDefault = false;
  for (const ic of snap.ingressClasses.values()) {
    if (ic.spec.controller !== opts.controllerClass) continue;
    names.add(ic.metadata.name);
    if (ic.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true') isDefault = true;
    if (ic.spec.parameters) {
      diags.warn(refOf(ic), 'IgnoredParameters', 'spec.parameters', 'sluice takes no IngressClass parameters; they are ignored (use the --configmap options)');
    }
  }
  return { names, isDefault };
}

export type ClassVerdict = { ours: true; via: string } | { ours: false; why: string };

export function classify(ing: Ingress, snap: Snapshot, ours: OurClasses, opts: ClassOptions): ClassVerdict {
  const legacy = ing.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (legacy !== undefined) {
    if (legacy === opts.ingressClass || ours.names.has(legacy)) return { ours: true, via: `annotation ${LEGACY_CLASS_ANNOTATION}=${legacy}` };
    return { ours: false, why: `annotation ${LEGACY_CLASS_ANNOTATION}=${legacy} names another class` };
  }
  const name = ing.spec.ingressClassName;
  if (name !== undefined) {
    if (ours.names.has(name)) return { ours: true, via: `ingressClassName ${name}` };
    if (name === opts.ingressClass && !snap.ingressClasses.has(name)) return { ours: true, via: `ingressClassName ${name} (--ingress-class)` };
    return { ours: false, why: `ingressClassName ${name} belongs to another controller` };
  }
  if (opts.watchWithoutClass) return { ours: true, via: 'no class (--watch-ingress-without-class)' };
  if (ours.isDefault) return { ours: true, via: 'no class (default IngressClass)' };
  return { ours: false, why: 'no class, and sluice is neither the default class nor started with --watch-ingress-without-class' };
}
