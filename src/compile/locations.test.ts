// ingress-nginx's location list for a host: Prefix normalisation with its exact copy, regex mode,
// sort order, and the app-root that wins.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from './config.ts';
import { defaultRoutePolicy, type RoutePolicy } from './policy.ts';
import { buildLocations, hostAppRoot, isRegexHost, regexRoutes, type PathDraft } from './locations.ts';

function draft(pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific', written: string, p: Partial<RoutePolicy['rewrite']> = {}, appRoot: string | null = null): PathDraft {
  const policy = defaultRoutePolicy(DEFAULT_CONFIG);
  policy.rewrite = { ...policy.rewrite, ...p };
  return {
    route: { id: `ns/i/0/${written}`, source: { namespace: 'ns', ingress: 'i', rule: 0, path: 0 }, path: written, pathType, match: 'prefix', matchPath: written, service: null, backend: null, policy },
    written,
    appRoot,
  };
}

const paths = (drafts: PathDraft[]) => buildLocations(drafts).map((l) => `${l.path}${l.exactCopy ? ' (exact copy)' : ''}`);

test('Prefix becomes "/p/" plus an exact copy, unless an Exact "/p" exists; "/" and others stay', () => {
  assert.deepEqual(paths([draft('Prefix', '/foo')]), ['/foo/', '/foo (exact copy)']);
  assert.deepEqual(paths([draft('Prefix', '/foo/')]), ['/foo/', '/foo/ (exact copy)']);
  assert.deepEqual(paths([draft('Prefix', '/foo'), draft('Exact', '/foo')]), ['/foo/', '/foo']);
  assert.deepEqual(paths([draft('Prefix', '/'), draft('ImplementationSpecific', '/impl'), draft('Exact', '/e')]), ['/impl', '/e', '/']);
  // use-regex or a rewrite-target other than the path: not normalised.
  assert.deepEqual(paths([draft('Prefix', '/r', { useRegex: true })]), ['/r']);
  assert.deepEqual(paths([draft('Prefix', '/r', { target: '/x' })]), ['/r']);
  assert.deepEqual(paths([draft('Prefix', '/r', { target: '/r' })]), ['/r/', '/r (exact copy)']);
});

test('sorted by length, then by path descending (controller.go two stable sorts)', () => {
  const d = [draft('ImplementationSpecific', '/a'), draft('ImplementationSpecific', '/foo/bar/[A-Z0-9]{3}'), draft('Prefix', '/foo/bar/bar'), draft('ImplementationSpecific', '/b'), draft('Exact', '/zz')];
  assert.deepEqual(paths(d), ['/foo/bar/[A-Z0-9]{3}', '/foo/bar/bar/', '/foo/bar/bar (exact copy)', '/zz', '/b', '/a']);
});

test('regex mode: any use-regex, or a rewrite-target that differs from a location path', () => {
  assert.equal(isRegexHost(buildLocations([draft('Prefix', '/a'), draft('Exact', '/b')])), false);
  assert.equal(isRegexHost(buildLocations([draft('Prefix', '/a'), draft('Exact', '/b', { useRegex: true })])), true);
  assert.equal(isRegexHost(buildLocations([draft('Prefix', '/', { target: '/' })])), false);
  assert.equal(isRegexHost(buildLocations([draft('Exact', '/a', { target: '/a' })])), false);
  // The normalised "/a/" differs from target "/a".
  assert.equal(isRegexHost(buildLocations([draft('Prefix', '/a', { target: '/a' })])), true);
});

test('regex routes: one per location in order, invalid patterns dropped once per path with a reason', () => {
  const bad = draft('ImplementationSpecific', '/(a)\\1', { useRegex: true });
  const { routes, invalid } = regexRoutes(buildLocations([draft('Prefix', '/api'), bad, draft('ImplementationSpecific', '/x(', { useRegex: true })]));
  assert.deepEqual(routes.map((r) => [r.id, r.match, r.matchPath]), [
    ['ns/i/0//api', 'regex', '/api/'],
    ['ns/i/0//api/exact', 'regex', '/api'],
  ]);
  assert.equal(invalid.length, 2);
  assert.match(invalid.find((i) => i.draft === bad)!.error, /backreference/);
  assert.match(invalid.find((i) => i.draft !== bad)!.error, /not a valid regular expression.*missing closing \)/);
});

test('app-root: the first location (in nginx order) whose Ingress sets it', () => {
  assert.equal(hostAppRoot(buildLocations([draft('Prefix', '/'), draft('Prefix', '/x')])), null);
  assert.equal(hostAppRoot(buildLocations([draft('Prefix', '/', {}, '/short'), draft('Prefix', '/longer', {}, '/long')])), '/long');
});
