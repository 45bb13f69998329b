// Annotations under the prefix that no family read, classified with the catalogue: snippets and
// other "never" keys (warned, never executed), keys sluice does not support yet (warned: the
// Ingress is served without them), keys ingress-nginx removed, and unknown keys (listed).

import type { GlobalConfig } from '../config.ts';
import { annotationInfo, removedAnnotationInfo } from './catalogue.ts';
import type { AnnotationReader } from './reader.ts';

export function classifyUnread(r: AnnotationReader, _cfg: GlobalConfig): void {
  for (const key of r.keys()) {
    if (r.consumed.has(key)) continue;
    const info = annotationInfo(key);
    if (info) {
      if (info.group === 'snippets') {
        r.warn(
          key,
          'SnippetIgnored',
          'snippet annotations are never executed by sluice: raw proxy configuration from an Ingress is the CVE-2025-1974 ("IngressNightmare") class of hole. The Ingress is served without it; docs/annotations.md lists typed annotations that replace common snippets',
        );
      } else if (info.status === 'never') {
        r.warn(key, 'UnsupportedAnnotation', `not supported by sluice, by design (${firstSentence(info.notes)}); ignored`);
      } else if (info.status === 'not-yet' || info.status === 'partial') {
        r.warn(key, 'UnsupportedAnnotation', 'not supported by sluice yet; the Ingress is served without it (see docs/annotations.md)');
      } else {
        // A supported key no family read: it only applies together with another annotation.
        r.warn(key, 'IgnoredAnnotation', 'has no effect on its own here (it applies together with a related annotation); ignored', 'info');
      }
      continue;
    }
    const removed = removedAnnotationInfo(key);
    if (removed) {
      r.warn(key, 'UnsupportedAnnotation', `removed from ingress-nginx in ${removed.removed}: ${removed.replacement} Ignored`);
      continue;
    }
    r.warn(key, 'IgnoredAnnotation', 'not an ingress-nginx annotation sluice knows (typo?); ignored', 'info');
  }
}

function firstSentence(s: string): string {
  const i = s.indexOf('. ');
  return (i < 0 ? s : s.slice(0, i)).replace(/\.$/, '');
}
