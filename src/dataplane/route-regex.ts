// Regex paths (ingress-nginx `~* ^<path>`): case-insensitive, anchored at the start. Compiled by
// a linear-time engine so an Ingress author cannot stall the proxy with a pathological pattern.

import { RE2JS } from 're2js';

export interface RouteRegex {
  test(path: string): boolean;
  /** Capture groups ($0..$n) for rewrite-target, or null when no match. */
  exec(path: string): string[] | null;
}

export function compileRouteRegex(source: string): RouteRegex {
  const re = RE2JS.compile(`^(?:${source})`, RE2JS.CASE_INSENSITIVE);
  return {
    test: (path) => re.matcher(path).lookingAt(),
    exec: (path) => {
      const m = re.matcher(path);
      if (!m.lookingAt()) return null;
      const out: string[] = [];
      for (let i = 0; i <= m.groupCount(); i++) out.push(m.group(i) ?? '');
      return out;
    },
  };
}

/** Validates a pattern; returns an error message or null. */
export function checkRouteRegex(source: string): string | null {
  try {
    RE2JS.compile(`^(?:${source})`, RE2JS.CASE_INSENSITIVE);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
