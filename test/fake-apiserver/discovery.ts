// Discovery documents (/api, /apis, /apis/{group}, /api/v1, /apis/{group}/{version}) and
// /version, in the legacy (non-aggregated) format every client understands.

import { groupVersions, OBJECT_VERBS, RESOURCES, STATUS_VERBS } from './resources.ts';

export const FAKE_VERSION = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0-fake',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.24.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function coreVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDoc(group: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

export function groupList(): unknown {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupVersions()
      .filter((g) => g.group !== '')
      .map((g) => groupDoc(g.group, g.versions)),
  };
}

export function group(name: string): unknown {
  const gv = groupVersions().find((g) => g.group === name);
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(name, gv?.versions ?? []) };
}

export function resourceList(group: string, version: string): unknown {
  const resources: Record<string, unknown>[] = [];
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    const main: Record<string, unknown> = {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: OBJECT_VERBS,
    };
    if (r.shortNames) main.shortNames = r.shortNames;
    resources.push(main);
    if (r.statusSubresource) {
      resources.push({ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: STATUS_VERBS });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
}
