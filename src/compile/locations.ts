// How ingress-nginx turns the paths of one host into nginx locations, and when the whole host
// switches to regex matching (internal/ingress/controller/location.go updateServerLocations,
// template.go enforceRegexModifier/buildLocation, controller.go location sort):
//
//   - Exact "/p" → one location "/p"; ImplementationSpecific and "/" → the path as written.
//   - Prefix "/p" from an Ingress without use-regex (and whose rewrite-target equals "/p") →
//     a location "/p/" plus an exact copy "/p" (unless an Exact "/p" exists on the host).
//   - The host is in regex mode when any location has use-regex, or a rewrite-target that
//     differs from the location's path. Then EVERY location is `~* "^<path>"`: case-insensitive,
//     anchored at the start only (Exact loses its meaning, Prefix "/p" also matches "/pq").
//   - Locations are sorted by path (descending), then stably by length (descending); nginx tries
//     regex locations in that order and the first match wins.
//
// Outside regex mode sluice keeps its spec-exact Exact/Prefix matcher, which gives the same
// answers as those nginx locations; the location list still decides which app-root wins.

import type { Route } from '../routes/table.ts';
import { toByteString } from '../routes/paths.ts';
import { checkRouteRegex } from '../dataplane/route-regex.ts';

export interface PathDraft {
  /** The route as built for spec-exact matching (match/matchPath for Exact/Prefix). */
  route: Route;
  /** The Ingress path as written ("/" when empty). */
  written: string;
  /** app-root of the route's Ingress, or null. */
  appRoot: string | null;
}

export interface Location {
  draft: PathDraft;
  /** nginx location path. */
  path: string;
  /** The exact copy ingress-nginx adds beside a normalised Prefix location. */
  exactCopy: boolean;
}

function needsRewrite(d: PathDraft, locationPath: string): boolean {
  const t = d.route.policy.rewrite.target;
  return t !== null && t !== locationPath;
}

/** The nginx locations of one host, in ingress-nginx's sorted order. */
export function buildLocations(drafts: readonly PathDraft[]): Location[] {
  const exact = new Set<string>();
  for (const d of drafts) if (d.route.pathType === 'Exact') exact.add(d.written);
  const out: Location[] = [];
  for (const d of drafts) {
    const p = d.written;
    if (p === '/' || d.route.pathType !== 'Prefix' || d.route.policy.rewrite.useRegex || needsRewrite(d, p)) {
      out.push({ draft: d, path: p, exactCopy: false });
      continue;
    }
    out.push({ draft: d, path: p.endsWith('/') ? p : `${p}/`, exactCopy: false });
    if (!exact.has(p)) out.push({ draft: d, path: p, exactCopy: true });
  }
  // Two stable sorts, as controller.go does: by path descending, then by length descending.
  out.sort((a, b) => (a.path > b.path ? -1 : a.path < b.path ? 1 : 0));
  out.sort((a, b) => b.path.length - a.path.length);
  return out;
}

/** enforceRegexModifier: does any location make the whole host regex? */
export function isRegexHost(locations: readonly Location[]): boolean {
  for (const l of locations) if (l.draft.route.policy.rewrite.useRegex || needsRewrite(l.draft, l.path)) return true;
  return false;
}

/** The app-root that answers "/" on this host: nginx runs the server-level ifs in location order. */
export function hostAppRoot(locations: readonly Location[]): string | null {
  for (const l of locations) if (l.draft.appRoot !== null) return l.draft.appRoot;
  return null;
}

export interface RegexRoutes {
  routes: Route[];
  /** Drafts whose pattern cannot run, with the reason (reported once per draft). */
  invalid: { draft: PathDraft; error: string }[];
}

/** Regex-mode routes: one per location, in match order. Patterns RE2 cannot run are dropped. */
export function regexRoutes(locations: readonly Location[]): RegexRoutes {
  const routes: Route[] = [];
  const invalid: RegexRoutes['invalid'] = [];
  const bad = new Set<PathDraft>();
  for (const l of locations) {
    if (bad.has(l.draft)) continue;
    const err = checkRouteRegex(toByteString(l.path));
    if (err !== null) {
      bad.add(l.draft);
      invalid.push({ draft: l.draft, error: err });
      continue;
    }
    const r = l.draft.route;
    routes.push({ ...r, id: l.exactCopy ? `${r.id}/exact` : r.id, match: 'regex', matchPath: l.path });
  }
  return { routes, invalid };
}
