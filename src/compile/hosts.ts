// Host names as the Ingress API defines them: a DNS-1123 subdomain, optionally with `*` as the
// whole first label (matching exactly one label). Hosts compare case-insensitively.

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export type HostCheck = { ok: true; host: string; wildcard: boolean } | { ok: false; error: string };

export function checkHost(raw: string): HostCheck {
  const host = raw.toLowerCase();
  if (host.length > 253) return { ok: false, error: `host "${raw}" is longer than 253 characters` };
  if (host === '*') return { ok: false, error: 'host "*" is not allowed; leave host empty to match every host' };
  let labels = host.split('.');
  let wildcard = false;
  if (labels[0] === '*') {
    wildcard = true;
    labels = labels.slice(1);
    if (labels.length < 1) return { ok: false, error: `wildcard host "${raw}" needs a domain after "*."` };
  }
  for (const l of labels) {
    if (l.length > 63 || !LABEL.test(l)) {
      return { ok: false, error: `host "${raw}" is not a valid DNS name (lower-case letters, digits, "-" and ".", with "*" only as the whole first label)` };
    }
  }
  if (/^[0-9.]+$/.test(labels.join('.'))) return { ok: false, error: `host "${raw}" is an IP address; Ingress hosts must be DNS names` };
  return { ok: true, host, wildcard };
}

/** The suffix a wildcard matches on: `*.example.com` → `example.com`. */
export function wildcardSuffix(host: string): string {
  return host.slice(2);
}
