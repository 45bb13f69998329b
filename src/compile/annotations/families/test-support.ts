// Runs the annotation families over one Ingress with the given annotations (for family tests).

import { DEFAULT_CONFIG } from '../../config.ts';
import { Diagnostics } from '../../diagnostics.ts';
import { snapshotOf } from '../../../store/store.ts';
import type { Ingress } from '../../../model/k8s.ts';
import { parseIngressAnnotations, type IngressAnnotations } from '../index.ts';

export const PREFIX = 'nginx.ingress.kubernetes.io/';

export function parseWith(annotations: Record<string, string>): { ann: IngressAnnotations; diags: Diagnostics } {
  const ing = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'ing', namespace: 'ns', annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [PREFIX + k, v])) },
    spec: {},
  } as unknown as Ingress;
  const diags = new Diagnostics();
  const ann = parseIngressAnnotations(ing, {
    cfg: DEFAULT_CONFIG,
    snap: snapshotOf([]),
    opts: { annotationsPrefix: 'nginx.ingress.kubernetes.io', allowCrossNamespaceSecrets: false },
    diags,
    referencedSecrets: new Set(),
  });
  return { ann, diags };
}

/** Annotation keys reported invalid (the Ingress is denied). */
export function invalidKeys(d: Diagnostics): string[] {
  return d.list.filter((x) => x.severity === 'error' && x.reason === 'InvalidAnnotation').map((x) => x.field.slice(`metadata.annotations["${PREFIX}`.length, -2));
}
