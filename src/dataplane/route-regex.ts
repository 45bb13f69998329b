// Regex paths (ingress-nginx `~* ^<path>`): case-insensitive, anchored at the start. Compiled by
// a linear-time engine (RE2 semantics) so an Ingress author cannot stall the proxy with a
// pathological pattern; PCRE features that need backtracking are refused with a clear reason.
// Sources are latin1 byte strings, the form request paths have (see routes/paths.ts).

import { RE2JS } from 're2js';

export interface RouteRegex {
  test(path: string): boolean;
  /** Capture groups ($0..$n) of the match at the start of `path` ("" for unset groups), or null. */
  exec(path: string): string[] | null;
}

function compile(source: string): RE2JS {
  return RE2JS.compile(`^(?:${source})`, RE2JS.CASE_INSENSITIVE);
}

export function compileRouteRegex(source: string): RouteRegex {
  const re = compile(source);
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

/** PCRE-only constructs, each needing backtracking (or unbounded look-behind) to run. */
const BACKTRACKING: [RegExp, string][] = [
  [/\\[1-9]|\\[gk][{<'0-9-]/, 'a backreference'],
  [/\(\?[=!]|\(\?<[=!]/, 'a lookaround assertion'],
  [/\(\?>/, 'an atomic group'],
  [/[*+?}]\+/, 'a possessive quantifier'],
];

/** Validates a pattern; returns an error message (naming what is wrong) or null. */
export function checkRouteRegex(source: string): string | null {
  try {
    compile(source);
    return null;
  } catch (e) {
    for (const [re, what] of BACKTRACKING) {
      if (re.test(source)) {
        return `it uses ${what}, which needs a backtracking regex engine; sluice matches Ingress paths with a linear-time engine (RE2 syntax) so that no pattern can stall the proxy`;
      }
    }
    const msg = (e as Error).message.replace(/^error parsing regexp: /, '');
    return `it is not a valid regular expression (RE2 syntax): ${msg}`;
  }
}
