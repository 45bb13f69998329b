// Validates an Ingress path and decides how it is matched. Spec-exact for Exact and Prefix;
// ImplementationSpecific behaves like Prefix unless the host is in regex mode (annotations).

import type { MatchKind } from '../routes/table.ts';
import { normalizePath, prefixKey, toByteString } from '../routes/paths.ts';

export type PathCheck = { ok: true; path: string; match: MatchKind; matchPath: string } | { ok: false; error: string };

// Characters that cannot appear in a request path on the wire (whitespace, controls, "?", "#").
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\x00-\x20\x7f?#]/;

export function checkPath(raw: string | undefined, pathType: string | undefined, regexHost: boolean): PathCheck {
  if (pathType === undefined) return { ok: false, error: 'pathType is required (Exact, Prefix or ImplementationSpecific)' };
  let path = raw;
  if (path === undefined || path === '') {
    if (pathType !== 'ImplementationSpecific') return { ok: false, error: `path is required when pathType is ${pathType}` };
    path = '/';
  }
  if (!path.startsWith('/')) return { ok: false, error: `path "${path}" must start with "/"` };
  if (regexHost) {
    // Regex sources are validated by the regex compiler (annotations/rewrite).
    return { ok: true, path, match: 'regex', matchPath: path };
  }
  if (FORBIDDEN.test(path)) return { ok: false, error: `path "${path}" contains a space, control character, "?" or "#"` };
  const norm = normalizePath(toByteString(path));
  if (norm === null) return { ok: false, error: `path "${path}" has an invalid %-escape or a ".." above the root` };
  if (pathType === 'Exact') return { ok: true, path, match: 'exact', matchPath: norm };
  return { ok: true, path, match: 'prefix', matchPath: prefixKey(norm) };
}
