// Global options from the ConfigMap named by --configmap, under ingress-nginx's key names and
// with ingress-nginx's defaults (docs/user-guide/nginx-configuration/configmap.md). An invalid
// value keeps the default for that key only and is reported against the ConfigMap.

import type { ConfigMap } from '../model/k8s.ts';
import { bool, int, list, nginxTime, oneOf, parseValue, seconds, size, statusList, text, type ValueParser } from './values.ts';

interface KeySpec<T> {
  parser: ValueParser<T>;
  default: string;
  /** Why sluice's default differs from ingress-nginx's, when it does. */
  differs?: string;
}

const key = <T>(parser: ValueParser<T>, def: string, differs?: string): KeySpec<T> =>
  differs === undefined ? { parser, default: def } : { parser, default: def, differs };

export const DEFAULT_SSL_CIPHERS =
  'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384';

export const CONFIG_KEYS = {
  // Timeouts (seconds).
  'proxy-connect-timeout': key(seconds(), '5'),
  'proxy-read-timeout': key(seconds(), '60'),
  'proxy-send-timeout': key(seconds(), '60'),
  'client-header-timeout': key(seconds(), '60'),
  'client-body-timeout': key(seconds(), '60'),
  'keep-alive': key(seconds(), '75'),
  'keep-alive-requests': key(int(0, 1_000_000_000), '1000'),
  'upstream-keepalive-connections': key(int(0, 1_000_000), '320'),
  'upstream-keepalive-timeout': key(seconds(), '60'),
  'upstream-keepalive-requests': key(int(0, 1_000_000_000), '10000'),
  'upstream-keepalive-time': key(nginxTime(), '1h'),
  'worker-shutdown-timeout': key(nginxTime(), '240s'),
  // Sizes and buffering.
  'proxy-body-size': key(size(), '1m'),
  'client-body-buffer-size': key(size(), '8k'),
  'client-header-buffer-size': key(size(), '1k'),
  'large-client-header-buffers': key(
    text().refine((s) => /^\s*\d+\s+\d+[kKmM]?\s*$/.test(s), 'a count and a size, such as "4 8k"'),
    '4 8k',
  ),
  'proxy-buffer-size': key(size(), '4k'),
  'proxy-buffers-number': key(int(1, 1024), '4'),
  'proxy-buffering': key(oneOf(['on', 'off']), 'off'),
  'proxy-request-buffering': key(oneOf(['on', 'off']), 'on'),
  // Retries.
  'proxy-next-upstream': key(text(), 'error timeout'),
  'proxy-next-upstream-tries': key(int(0, 100), '3'),
  'proxy-next-upstream-timeout': key(seconds(), '0'),
  'retry-non-idempotent': key(bool(), 'false'),
  // Client address and forwarded headers.
  'use-forwarded-headers': key(bool(), 'false'),
  'compute-full-forwarded-for': key(
    bool(),
    'true',
    'The foundation spec appends the client address to X-Forwarded-For, as HAProxy, Envoy and Traefik do; set "false" for ingress-nginx\'s replace behaviour.',
  ),
  'forwarded-for-header': key(text(), 'X-Forwarded-For'),
  'proxy-real-ip-cidr': key(list(), '0.0.0.0/0'),
  'use-proxy-protocol': key(bool(), 'false'),
  'enable-real-ip': key(bool(), 'false'),
  'proxy-add-original-uri-header': key(bool(), 'false'),
  'generate-request-id': key(bool(), 'true'),
  // Logging.
  'disable-access-log': key(bool(), 'false'),
  // Redirects, TLS and HSTS.
  'http-redirect-code': key(int(300, 308), '308'),
  'relative-redirects': key(bool(), 'false'),
  'ssl-redirect': key(bool(), 'true'),
  'force-ssl-redirect': key(bool(), 'false'),
  'hsts': key(bool(), 'true'),
  'hsts-max-age': key(int(0, 1_000_000_000), '31536000'),
  'hsts-include-subdomains': key(bool(), 'true'),
  'hsts-preload': key(bool(), 'false'),
  'ssl-protocols': key(text(), 'TLSv1.2 TLSv1.3'),
  'ssl-ciphers': key(text(), DEFAULT_SSL_CIPHERS),
  'ssl-session-tickets': key(
    bool(),
    'true',
    'Tickets are rotated in memory every 12 hours, so they are safe to enable by default.',
  ),
  'ssl-session-timeout': key(nginxTime(), '10m'),
  'use-http2': key(bool(), 'true'),
  'http2-max-concurrent-streams': key(int(1, 10_000), '128'),
  // Error pages and misc.
  // nginx's error_page accepts 300-599.
  'custom-http-errors': key(statusList(300, 599), ''),
  'server-tokens': key(bool(), 'false'),
  'allow-snippet-annotations': key(bool(), 'false'),
  'limit-req-status-code': key(int(100, 599), '503'),
  'limit-conn-status-code': key(int(100, 599), '503'),
  'whitelist-source-range': key(list(), ''),
  'denylist-source-range': key(list(), ''),
  'block-cidrs': key(list(), ''),
  'global-auth-url': key(text(), ''),
  'global-auth-method': key(text(), ''),
  'global-auth-signin': key(text(), ''),
  'global-auth-signin-redirect-param': key(text(), 'rd'),
  'global-auth-response-headers': key(text(), ''),
  'global-auth-request-redirect': key(text(), ''),
  'global-auth-cache-key': key(text(), ''),
  'global-auth-cache-duration': key(text(), '200 202 401 5m'),
  'global-auth-always-set-cookie': key(bool(), 'false'),
  'no-auth-locations': key(list(), '/.well-known/acme-challenge'),
  'no-tls-redirect-locations': key(list(), '/.well-known/acme-challenge'),
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;

type ValueOf<K extends ConfigKey> = (typeof CONFIG_KEYS)[K] extends KeySpec<infer T> ? T : never;

/** Effective global options, keyed by their ingress-nginx ConfigMap names. */
export type GlobalConfig = { readonly [K in ConfigKey]: ValueOf<K> };

export interface ConfigProblem {
  key: string;
  value: string;
  message: string;
}

function build(data: Record<string, string>, problems: ConfigProblem[]): GlobalConfig {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(CONFIG_KEYS) as [ConfigKey, KeySpec<unknown>][]) {
    const raw = data[k];
    if (raw !== undefined) {
      const r = parseValue(spec.parser, raw);
      if (r.ok) {
        out[k] = r.value;
        continue;
      }
      problems.push({ key: k, value: raw, message: `${r.error}; using the default "${spec.default}"` });
    }
    const d = parseValue(spec.parser, spec.default);
    if (!d.ok) throw new Error(`bad built-in default for ${k}`);
    out[k] = d.value;
  }
  return out as GlobalConfig;
}

export const DEFAULT_CONFIG: GlobalConfig = Object.freeze(build({}, []));

/** Reads a ConfigMap into typed options. Unknown keys are reported as ignored. */
export function parseGlobalConfig(cm: ConfigMap | undefined): { config: GlobalConfig; problems: ConfigProblem[]; ignored: string[] } {
  if (!cm?.data) return { config: DEFAULT_CONFIG, problems: [], ignored: [] };
  const problems: ConfigProblem[] = [];
  const config = build(cm.data, problems);
  const ignored = Object.keys(cm.data).filter((k) => !(k in CONFIG_KEYS)).sort();
  return { config, problems, ignored };
}

/** Keys whose sluice default differs from ingress-nginx, with the reason (for docs). */
export function differingDefaults(): { key: string; default: string; reason: string }[] {
  return Object.entries(CONFIG_KEYS)
    .filter(([, s]) => 'differs' in s)
    .map(([k, s]) => ({ key: k, default: s.default, reason: (s as KeySpec<unknown>).differs! }));
}

/** "4 8k" → bytes per buffer and buffer count. */
export function headerBuffers(cfg: GlobalConfig): { count: number; size: number } {
  const m = /^\s*(\d+)\s+(\d+)([kKmM]?)\s*$/.exec(cfg['large-client-header-buffers'])!;
  const unit = m[3]!.toLowerCase() === 'k' ? 1024 : m[3]!.toLowerCase() === 'm' ? 1024 * 1024 : 1;
  return { count: Number(m[1]), size: Number(m[2]) * unit };
}
