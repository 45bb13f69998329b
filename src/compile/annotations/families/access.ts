// allowlist-source-range (alias whitelist-source-range) and denylist-source-range: client
// address lists for the path (ingress-nginx ipallowlist / ipdenylist). An annotation replaces
// the ConfigMap list of the same kind; an empty or invalid value denies the path (fail closed).

import { parseCidrList } from '../../../net/cidr.ts';
import type { AnnotationFamily } from '../family.ts';
import type { AnnotationReader } from '../reader.ts';

const EXPECTED = 'expected comma-separated IP addresses or CIDRs, IPv4 or IPv6, such as 10.0.0.0/8, 192.168.1.7, 2001:db8::/32';

/** The value of `key`, or of `alias` when the key is absent or empty (ingress-nginx checkAnnotation). */
function readWithAlias(r: AnnotationReader, key: string, alias: string | null): { key: string; value: string } | null {
  const v = r.raw(key);
  const a = alias === null ? undefined : r.raw(alias);
  if (v !== undefined && v !== '') return { key, value: v };
  if (a !== undefined && a !== '') return { key: alias!, value: a };
  if (v !== undefined) return { key, value: v };
  if (a !== undefined) return { key: alias!, value: a };
  return null;
}

function parseList(r: AnnotationReader, key: string, value: string): string[] | null {
  if (value.trim() === '') {
    r.error(key, value, EXPECTED);
    return null;
  }
  const parsed = parseCidrList(value);
  if (!parsed.ok) {
    r.error(key, value, `${EXPECTED} (${parsed.bad === '' ? 'an empty entry, from a stray comma,' : JSON.stringify(parsed.bad)} is not one)`);
    return null;
  }
  return [...new Set(parsed.cidrs)].sort();
}

export const accessFamily: AnnotationFamily = {
  name: 'access',
  apply(r, p) {
    const allow = readWithAlias(r, 'allowlist-source-range', 'whitelist-source-range');
    if (allow !== null) {
      const list = parseList(r, allow.key, allow.value);
      if (list !== null) p.access.allow = list;
    }
    const deny = readWithAlias(r, 'denylist-source-range', null);
    if (deny !== null) {
      const list = parseList(r, deny.key, deny.value);
      if (list !== null) p.access.deny = list;
    }
  },
};
