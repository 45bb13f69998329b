// Annotations under the prefix that no family read: snippets (never executed, by design),
// annotations sluice does not support yet, and unknown keys — each reported on the Ingress.

import type { GlobalConfig } from '../config.ts';
import type { AnnotationReader } from './reader.ts';

const SNIPPETS = new Set(['configuration-snippet', 'server-snippet', 'auth-snippet', 'stream-snippet', 'modsecurity-snippet']);

export function classifyUnread(r: AnnotationReader, _cfg: GlobalConfig): void {
  for (const key of r.keys()) {
    if (r.consumed.has(key)) continue;
    if (SNIPPETS.has(key)) {
      r.warn(
        key,
        'SnippetIgnored',
        'snippet annotations are never executed by sluice (raw proxy configuration from an Ingress is the CVE-2025-1974 "IngressNightmare" class); the Ingress works without it — see docs/annotations.md for the typed annotation that replaces common snippets',
      );
      continue;
    }
    r.warn(key, 'IgnoredAnnotation', 'not an annotation sluice knows; ignored', 'info');
  }
}
